import Testing
@testable import Tracefs
