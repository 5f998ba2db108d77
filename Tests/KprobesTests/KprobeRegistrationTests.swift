import Testing
import Machine
import X86_64
import ARM64
import TestSupport
@testable import Kprobes

extension KprobeLab {
    /// Places hand-encoded instructions as a text function `name` and returns its address.
    @discardableResult
    func define(_ name: String, bytes: [UInt8]) throws -> UInt64 {
        try define(name, size: bytes.count) { _ in bytes }
    }

    /// Places a text function whose code depends on where it lands (relative branches), named `name`.
    @discardableResult
    func define(_ name: String, size: Int, code: (UInt64) throws -> [UInt8]) throws -> UInt64 {
        let address = machine.allocateText(size: UInt64(size))
        let bytes = try code(address)
        try machine.memory.kernelWrite(address, bytes: bytes)
        machine.symbols.add(Symbol(name: name, address: address, size: UInt64(bytes.count), type: "t"))
        machine.symbols.addTextRegion(address..<(address + UInt64(bytes.count)))
        return address
    }
}

/// Registration rules of kernel/kprobes.c and both arch_prepare_kprobe implementations, error by error.
@Suite("kprobes: registration and its errors")
struct KprobeRegistrationTests {
    @Test("exactly one of symbol and address; unknown symbols and addresses outside any symbol",
          arguments: [Architecture.x86_64, .arm64])
    func addressRules(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let sumTo = try lab.address("sum_to")
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "sum_to", address: sumTo)) }
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe()) }
        #expect(throws: Errno.ENOENT) { try lab.kprobes.register(Kprobe(symbolName: "no_such_function")) }
        #expect(throws: Errno.ENOENT) { try lab.kprobes.register(Kprobe(address: 0x1000)) }
    }

    @Test("an offset past the end of a function re-splits into the next one, as kallsyms does",
          arguments: [Architecture.x86_64, .arm64])
    func offsetResplit(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let next = try #require(lab.machine.symbols.lookup(name: "sum_squares_while"))
        let sumTo = try lab.address("sum_to")
        let probe = Kprobe(symbolName: "sum_to", offset: next.address - sumTo)
        try lab.kprobes.register(probe)
        #expect(probe.address == next.address)
        // kernel: _kprobe_addr re-splits with kallsyms_lookup_size_offset, so the offset arch_adjust_kprobe_addr
        // judges is the one inside sum_squares_while: 0, a function entry (more in KprobeRegistrationGapsTests).
        #expect(probe.flags.contains(.onFunctionEntry))
    }

    @Test("the same struct twice is refused; a second struct at the address aggregates", arguments: [Architecture.x86_64, .arm64])
    func doubleRegistration(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture)
        let probe = Kprobe(symbolName: "sum_to")
        try lab.kprobes.register(probe)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(probe) }
        try lab.kprobes.register(Kprobe(symbolName: "sum_to"))
        #expect(lab.kprobes.registered.count == 2)
    }

    @Test("data, blacklisted functions and slot pages are not probeable (-EINVAL)", arguments: [Architecture.x86_64, .arm64])
    func unsafeAddresses(architecture: Architecture) throws {
        let lab = try KprobeLab(architecture, files: ["lists"])
        // `htable` is a static array in .data (kallsyms type d).
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "htable")) }
        lab.kprobes.blacklist.add(symbol: "hlist_lookup", in: lab.machine.symbols)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "hlist_lookup", offset: 4)) }
        // The first stepped instruction of hlist_count_chain has a slot (arm64 starts with a simulated adrp).
        var slotOwner: Kprobe?
        for offset in stride(from: UInt64(0), to: 32, by: architecture == .arm64 ? 4 : 1) where slotOwner == nil {
            let probe = Kprobe(symbolName: "hlist_count_chain", offset: offset)
            if (try? lab.kprobes.register(probe)) != nil, probe.slotAddress != nil, !probe.isEmulated { slotOwner = probe }
        }
        let slot = try #require(slotOwner?.slotAddress)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(address: slot)) }
        #expect(lab.kprobes.blacklist.listing.contains("\thlist_lookup\n"))
    }

    @Test("arm64: a probe exactly on the ftrace call site (entry + 4, the second patchable NOP) is refused")
    func arm64FtraceSite() throws {
        // Captured on Debian 6.1 arm64 (Tests/Fixtures/realkernel/arm64/matrix.txt, FINDINGS surprise 4): entry+4 is
        // EINVAL, entry+0 (the first NOP, `mov x9, x30` at run time) is an ordinary BRK probe.
        let lab = try KprobeLab(.arm64, variant: "O2-ftrace")
        #expect(try lab.bytes(try lab.address("sum_to"), 8) == le32(0xd503_201f) + le32(0xd503_201f))
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 4)) }
        try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 0))
        try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 8))
    }

    @Test("x86_64: a function starting with ENDBR64 is probed after it; sym+0 and sym+4 are both its entry")
    func x86Endbr() throws {
        // f3 0f 1e fa = endbr64; 31 c0 = xor %eax,%eax; c3 = ret. kernel: arch_adjust_kprobe_addr.
        let lab = try KprobeLab(.x86_64)
        let address = try lab.define("ibt_function", bytes: [0xf3, 0x0f, 0x1e, 0xfa, 0x31, 0xc0, 0xc3])
        let atZero = Kprobe(symbolName: "ibt_function")
        try lab.kprobes.register(atZero)
        #expect(atZero.address == address + 4)
        #expect(atZero.flags.contains(.onFunctionEntry))
        #expect(try lab.bytes(address, 5) == [0xf3, 0x0f, 0x1e, 0xfa, 0xcc]) // ENDBR untouched, int3 on the xor
        let rp = Kretprobe(symbolName: "ibt_function", offset: 4)
        try lab.kprobes.register(rp) // +4 counts as the entry too
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kretprobe(symbolName: "ibt_function", offset: 6)) }
    }

    @Test("x86_64: not on an instruction boundary is -EILSEQ, decoded from the symbol start")
    func x86Boundary() throws {
        let lab = try KprobeLab(.x86_64)
        // sum_to: b8 a0 86 01 00 (mov $0x186a0,%eax) occupies +0..+4, so +1 is inside it; +5 starts `cmp`.
        #expect(throws: Errno.EILSEQ) { try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 1)) }
        try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 5))
        // With a probe at +5, the boundary walk still works through the recovered (original) byte.
        try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 8))
        #expect(throws: Errno.EILSEQ) { try lab.kprobes.register(Kprobe(symbolName: "sum_to", offset: 6)) }
    }

    /// x86_64 encodings (Intel SDM; each checked below against the decoder, whose lengths agree with objdump):
    ///   cc: int3 · ff 1c 24: lcall *(%rsp) (FF /3) · ff 2c 24: ljmp *(%rsp) (FF /5) · ff 24 24: jmp *(%rsp)
    ///   (FF /4, memory) · ff 14 24: call *(%rsp) (FF /2, memory) · 48 cf: iretq · 0f 01 c1: vmcall (0F 01 /0,
    ///   mod=3) · 8e d0: mov %eax,%ss (exception masking) · ff d0: call *%rax (emulated, accepted).
    @Test("x86_64: what arch_prepare_kprobe refuses, with the kernel's errno", arguments: [
        ([UInt8]([0xcc]), X86OpcodeMap.primary, UInt8(0xcc), UInt8?.none, Errno.EINVAL),
        ([0xff, 0x1c, 0x24], .primary, 0xff, 3, Errno.EOPNOTSUPP),
        ([0xff, 0x2c, 0x24], .primary, 0xff, 5, Errno.EOPNOTSUPP),
        ([0xff, 0x24, 0x24], .primary, 0xff, 4, Errno.EOPNOTSUPP),
        ([0xff, 0x14, 0x24], .primary, 0xff, 2, Errno.EOPNOTSUPP),
        ([0x48, 0xcf], .primary, 0xcf, nil, Errno.EOPNOTSUPP),
        ([0x0f, 0x01, 0xc1], .map0F, 0x01, 0, Errno.EOPNOTSUPP),
        ([0x8e, 0xd0], .primary, 0x8e, 2, Errno.EINVAL),
    ])
    func x86Refusals(bytes: [UInt8], map: X86OpcodeMap, opcode: UInt8, reg: UInt8?, errno: Errno) throws {
        let lab = try KprobeLab(.x86_64)
        let insn = try X86Decoder.decode(bytes).get()
        #expect(insn.length == bytes.count && insn.map == map && insn.opcode == opcode)
        if let reg { #expect(insn.reg == reg) }
        try lab.define("refused", bytes: bytes + [0xc3])
        #expect(throws: errno) { try lab.kprobes.register(Kprobe(symbolName: "refused")) }
        // Nothing was written and no slot is held.
        #expect(try lab.bytes(try lab.address("refused"), bytes.count) == bytes)
    }

    @Test("x86_64: a RIP-relative instruction's copy has its displacement re-targeted to reach the same byte")
    func ripRelative() throws {
        // inet_bind_test+0: c7 05 <disp32> <imm32> = movl $0x0,disp(%rip), 10 bytes, disp32 at offset 2.
        let lab = try KprobeLab(.x86_64, files: ["lists"])
        let address = try lab.address("inet_bind_test")
        let original = try lab.bytes(address, 10)
        #expect(Array(original[0..<2]) == [0xc7, 0x05])
        func disp(_ b: [UInt8]) -> Int64 { Int64(Int32(bitPattern: UInt32(b[2]) | UInt32(b[3]) << 8 | UInt32(b[4]) << 16 | UInt32(b[5]) << 24)) }
        let target = Int64(bitPattern: address) + 10 + disp(original)
        let probe = Kprobe(symbolName: "inet_bind_test")
        try lab.kprobes.register(probe)
        let slot = try #require(probe.slotAddress)
        let copy = try lab.bytes(slot, 11)
        #expect(Int64(bitPattern: slot) + 10 + disp(copy) == target)
        #expect(Array(copy[6..<10]) == Array(original[6..<10]) && copy[10] == 0xcc)
        // The target is the .bss socket, and running the probed function still gives the native result.
        #expect(lab.machine.symbols.lookup(containing: UInt64(bitPattern: target))?.symbol.name == "bind_sock")
        let expected = try #require(try CorpusCase.all(.x86_64).first { $0.function == "inet_bind_test" })
        #expect(try lab.call("inet_bind_test", expected.arguments) == expected.expected)
        #expect(probe.nhit == 1)
    }

    /// arm64 encodings (Arm ARM; each checked against the objdump-verified disassembler):
    ///   svc #0 = d4000001 · brk #0 = d4200000 · msr daifset, #2 = d50342df · mrs x0, daif = d53b4220
    ///   (op0=3 op1=3 CRn=4 CRm=2 op2=1) · autiasp = d50323bf (HINT #29, off the 6.1 steppable list) ·
    ///   eret = d69f03e0 · prfm pldl1keep, . = d8000000 (PRFM literal) · ldxr x1, [x0] = c85f7c01.
    @Test("arm64: what the decoder rejects (-EINVAL)", arguments: [
        (UInt32(0xd400_0001), "svc\t#0x0"), (0xd420_0000, "brk\t#0x0"), (0xd503_42df, "msr\tdaifset, #0x2"),
        (0xd53b_4220, "mrs\tx0, daif"), (0xd503_23bf, "autiasp"), (0xd69f_03e0, "eret"),
        (0xd800_0000, "prfm\tpldl1keep, 0 <refused>"), (0xc85f_7c01, "ldxr\tx1, [x0]"),
    ])
    func arm64Refusals(word: UInt32, text: String) throws {
        let lab = try KprobeLab(.arm64)
        let address = try lab.define("refused", bytes: le32(word) + le32(0xd65f_03c0))
        #expect(ARM64Disassembler.disassemble(word, at: address) { lab.machine.symbols.objdumpName($0) }
                    .replacingOccurrences(of: String(address, radix: 16), with: "0") == text)
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "refused")) }
        #expect(try lab.bytes(address, 4) == le32(word))
    }

    @Test("arm64: accepted system instructions: paciasp and mrs of another register are stepped")
    func arm64Accepted() throws {
        let lab = try KprobeLab(.arm64)
        // paciasp = d503233f; mrs x0, tpidr_el1 = d538d080 (op0=3 op1=0 CRn=13 CRm=0 op2=4); ret = d65f03c0.
        let base = try lab.define("system", bytes: le32(0xd503_233f) + le32(0xd538_d080) + le32(0xd65f_03c0))
        var probes: [Kprobe] = []
        for offset: UInt64 in [0, 4] {
            let probe = Kprobe(symbolName: "system", offset: offset, preHandler: { _ in 0 })
            try lab.kprobes.register(probe)
            #expect(probe.slotAddress != nil)
            probes.append(probe)
        }
        // Run it: each probe is stepped out of line once, and the function returns what `mrs` read (paciasp
        // is a hint that changes no general register; mrs copies TPIDR_EL1 into x0, ret returns x0).
        lab.machine.ledger.isRecording = true
        let tpidr: UInt64 = 0x5eed_0000_c0de_0042
        let task = try lab.machine.spawn(comm: "system", function: base, prepare: { $0[ARM64PtRegs.tpidrEL1] = tpidr })
        try lab.machine.runTasks()
        #expect(task.returnValue == tpidr)
        let steps = lab.events().compactMap { if case .slotStep(let address, _, _) = $0 { address } else { nil } }
        #expect(steps == [base, base + 4])
        #expect(probes.map(\.nhit) == [1, 1])
    }

    @Test("arm64: every instruction inside an LDXR..STXR sequence is refused; after the STXR is fine")
    func arm64ExclusiveWindow() throws {
        let lab = try KprobeLab(.arm64)
        // ldxr x1,[x0] = c85f7c01; add x1,x1,#1 = 91000421; stxr w2,x1,[x0] = c8027c01; cbnz w2,.-12 = 35ffffa2;
        // ret = d65f03c0.
        try lab.define("atomic_inc", bytes: [0xc85f_7c01, 0x9100_0421, 0xc802_7c01, 0x35ff_ffa2, 0xd65f_03c0].flatMap(le32))
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "atomic_inc", offset: 0)) }
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "atomic_inc", offset: 4)) }
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "atomic_inc", offset: 8)) }
        let after = Kprobe(symbolName: "atomic_inc", offset: 12)
        try lab.kprobes.register(after)
        #expect(after.slotAddress == nil) // cbnz is simulated
        #expect(throws: Errno.EINVAL) { try lab.kprobes.register(Kprobe(symbolName: "atomic_inc", offset: 2)) }
    }
}
