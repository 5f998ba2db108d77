import Testing
import Machine
import X86_64
import TestSupport
@testable import Kprobes

/// can_probe's decode from the function start across the `ret; int3 int3 int3 int3` the kernel writes over
/// return-thunk jumps at module load (x86_64/boundaries.txt: the 6.1 guest accepted every probe past them).
@Suite("x86_64 can_probe across int3 padding")
struct KprobeInt3PaddingTests {
    static func lab(_ profile: KernelProfile) throws -> KprobeManager {
        let machine = Machine(core: X86Core(), cpuCount: 1)
        _ = try ELFLoader.load(bytes: Fixtures.bytes("realkernel/x86_64/kpsim_corpus.ko"), name: "kpsim_corpus.ko",
                               into: machine, module: "kpsim_corpus")
        return KprobeManager(machine: machine, profile: profile)
    }

    @Test("6.1 decodes int3 as a one-byte instruction (args8+0x3a, the nopw after `ret` + padding, is accepted); 5.4 gives up")
    func paddingIsDecoded() throws {
        // args8+0x35: jmp __x86_return_thunk, patched to c3 cc cc cc cc; +0x3a: 66 0f 1f 44 00 00.
        let modern = try Self.lab(.debian61)
        try modern.register(Kprobe(symbolName: "args8", offset: 0x3a))
        let legacy = try Self.lab(.legacy)
        #expect(throws: Errno.EILSEQ) { try legacy.register(Kprobe(symbolName: "args8", offset: 0x3a)) }
        try legacy.register(Kprobe(symbolName: "args8", offset: 0x35))
    }
}
