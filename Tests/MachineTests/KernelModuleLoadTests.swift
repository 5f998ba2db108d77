import Foundation
import Testing
@testable import Machine

/// Loading a real kernel module: `kpsim_corpus.ko`, built by scripts/realkernel/build-module.sh against Debian's
/// 6.1 headers, whose imports the simulator stands in for and whose text it patches as the kernel does at load.
@Suite("Kernel module (.ko) loading")
struct KernelModuleLoadTests {
    static func module(_ architecture: Architecture) throws -> [UInt8] {
        try ELFFixtures.bytes("../realkernel/\(architecture)/kpsim_corpus.ko")
    }

    @Test("x86_64: sum_to's live bytes equal the guest's: the __fentry__ call is the 5-byte NOP, the return thunk jmp is ret + int3")
    func patchedText() throws {
        let machine = ELFFixtures.machine(.x86_64)
        let object = try ELFLoader.load(bytes: Self.module(.x86_64), name: "kpsim_corpus.ko", into: machine, module: "kpsim_corpus")
        let sumTo = try #require(object.symbol(named: "sum_to"))
        // Read from /proc/kcore in the 6.1 guest after insmod (scripts/realkernel/payloads/script.sh, x86_64/boundaries.txt).
        let guest: [UInt8] = [0x0f, 0x1f, 0x44, 0x00, 0x00, 0xb8, 0xa0, 0x86, 0x01, 0x00, 0x48, 0x39, 0xc7, 0x48, 0x0f, 0x47,
                              0xf8, 0x31, 0xc0, 0x31, 0xd2, 0x48, 0x89, 0xc1, 0x48, 0x01, 0xc2, 0x48, 0x83, 0xc0, 0x01, 0x48,
                              0x39, 0xcf, 0x75, 0xf1, 0x48, 0x89, 0xd0, 0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0x0f, 0x1f, 0x40, 0x00]
        #expect(try machine.memory.kernelRead(sumTo.address, count: guest.count) == guest)
        #expect(object.ftraceSites.count == 124)   // __mcount_loc: 0x3e0 bytes of 8-byte entries
        for site in object.ftraceSites {
            #expect(try machine.memory.kernelRead(site, count: 5) == [0x0f, 0x1f, 0x44, 0x00, 0x00])
        }
    }

    @Test("imports: retpoline thunks become jmp *%reg, other kernel functions host stand-ins; plain objects still refuse")
    func imports() throws {
        let machine = ELFFixtures.machine(.x86_64)
        _ = try ELFLoader.load(bytes: Self.module(.x86_64), name: "kpsim_corpus.ko", into: machine, module: "kpsim_corpus")
        let thunk = try #require(machine.symbols.lookup(name: "__x86_indirect_thunk_r12"))
        #expect(try machine.memory.kernelRead(thunk.address, count: 3) == [0x41, 0xff, 0xe4])
        let rax = try #require(machine.symbols.lookup(name: "__x86_indirect_thunk_rax"))
        #expect(try machine.memory.kernelRead(rax.address, count: 2) == [0xff, 0xe0])
        #expect(machine.symbols.lookup(name: "debugfs_create_file")?.address ?? 0 >= Machine.hostFunctionBase)
        #expect(KernelImports.indirectThunk("__x86_indirect_thunk_bogus") == nil)
    }

    @Test("MOD:SYM finds the symbol in that module only (module_kallsyms_lookup_name)")
    func moduleQualifiedLookup() throws {
        let machine = ELFFixtures.machine(.x86_64)
        let object = try ELFLoader.load(bytes: Self.module(.x86_64), name: "kpsim_corpus.ko", into: machine, module: "kpsim_corpus")
        #expect(machine.symbols.lookup(name: "kpsim_corpus:sum_to") == object.symbol(named: "sum_to"))
        #expect(machine.symbols.lookup(name: "other:sum_to") == nil)
        #expect(machine.symbols.lookup(name: "kpsim_corpus:no_such_function") == nil)
    }

    @Test("a truncated or corrupted module is a clear ELFError, never a crash")
    func badModules() throws {
        let bytes = try Self.module(.x86_64)
        for cut in [16, 64, 1000, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ELFError.self) {
                _ = try ELFLoader.load(bytes: Array(bytes.prefix(cut)), name: "cut.ko", into: ELFFixtures.machine(.x86_64))
            }
        }
        // An x86_64 module into an arm64 machine.
        #expect(throws: ELFError.self) {
            _ = try ELFLoader.load(bytes: bytes, name: "kpsim_corpus.ko", into: ELFFixtures.machine(.arm64))
        }
    }

    @Test("arm64: the cross-built module loads; its imports get stand-ins", arguments: [Architecture.arm64])
    func arm64(architecture: Architecture) throws {
        let machine = ELFFixtures.machine(architecture)
        let object = try ELFLoader.load(bytes: Self.module(architecture), name: "kpsim_corpus.ko", into: machine, module: "kpsim_corpus")
        #expect(object.symbol(named: "sum_to") != nil)
        #expect(machine.symbols.lookup(name: "debugfs_create_file") != nil)
    }
}
