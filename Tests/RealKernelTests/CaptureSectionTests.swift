import Testing
@testable import RealKernel

@Suite("RealKernelCapture: sections of a capture")
struct CaptureSectionTests {
    @Test("a section runs to the next title, without trailing blank lines; a missing one is empty")
    func sections() {
        let capture = RealKernelCapture(text: """
            # kernel: linux-image-6.1.0-56-amd64 6.1.192-2

            ################ module sections
            .text 0xffffffffc0201000

            ################ script output
            0x0000000000000006

            """)
        #expect(capture.section("module sections") == [".text 0xffffffffc0201000"])
        #expect(capture.section("script output") == ["0x0000000000000006"])
        #expect(capture.hasSection("script output") && !capture.hasSection("module text"))
        #expect(capture.section("module text") == [])
        #expect(ModuleTextComparison.kernelBytes(capture) == [])
    }

    /// A section's raw text is what the payload printed: trailing newlines kept (a `filter` file with an error
    /// ends in a blank line), the blank line `section` prints before the next header left out.
    @Test("raw sections keep what was printed, exactly; titles come in order")
    func rawSections() {
        let capture = RealKernelCapture(text: "################ a\nx\n\n\n################ b\n\n################ c\ny\n")
        #expect(capture.titles == ["a", "b", "c"])
        #expect(capture.rawSection("a") == "x\n\n")
        #expect(capture.rawSection("b") == "")
        #expect(capture.rawSection("c") == "y\n")
        #expect(capture.rawSection("d") == nil)
    }

    @Test("module text: hex bytes compared, differences inside relocated fields counted apart")
    func moduleText() {
        let capture = RealKernelCapture(text: "################ module text\n0f 1f 44 00 00 e8 01 02\n03 04 c3 cc\n")
        let kernel = ModuleTextComparison.kernelBytes(capture)
        #expect(kernel == [0x0f, 0x1f, 0x44, 0x00, 0x00, 0xe8, 0x01, 0x02, 0x03, 0x04, 0xc3, 0xcc])
        var simulator = kernel
        simulator[6] = 0xff   // inside the call's rel32 (bytes 6..<10)
        simulator[11] = 0x90  // outside any relocated field
        let comparison = ModuleTextComparison(kernel: kernel, simulator: simulator, relocatedFields: [6..<10])
        #expect(comparison.compared == 12 && comparison.equal == 10)
        #expect(comparison.differingRelocated == 1 && comparison.differingElsewhere == [11])
    }
}
