import Testing
@testable import Kprobes
