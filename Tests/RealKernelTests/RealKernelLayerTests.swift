import Testing
@testable import RealKernel
