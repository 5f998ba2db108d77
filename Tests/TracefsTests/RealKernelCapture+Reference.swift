import RealKernel
import TestSupport

extension RealKernelCapture {
    /// The Debian 6.1 tracefs reference session (`Tests/Fixtures/realkernel/reference/`), or a named capture
    /// of `scripts/realkernel/capture.sh` (`Tests/Fixtures/realkernel/ARCH/NAME.txt`).
    init(_ architecture: String, name: String? = nil) throws {
        self.init(text: try Fixtures.text(name.map { "realkernel/\(architecture)/\($0).txt" }
                                          ?? "realkernel/reference/linux-6.1-\(architecture)-kprobes.txt"))
    }
}
