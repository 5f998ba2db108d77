import RealKernel
import TestSupport

extension RealKernelCapture {
    /// The Debian 6.1 tracefs reference captures (`Tests/Fixtures/realkernel/reference/`).
    init(_ architecture: String) throws {
        self.init(text: try Fixtures.text("realkernel/reference/linux-6.1-\(architecture)-kprobes.txt"))
    }
}
