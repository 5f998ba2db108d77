import ARM64
import Kprobes
import Machine
import Testing
@testable import Tracefs
import X86_64

/// A one-CPU machine with a data block and a `THREAD_SIZE`-aligned stack in the simulated kernel heap, and a
/// parser for the arguments of a probe line.
private struct FetchLab {
    let architecture: Architecture
    let machine: Machine
    var cpu: CPU { machine.cpus[0] }
    var env: FetchEnvironment { FetchEnvironment(machine: machine, cpu: cpu) }
    /// `%di` / `%x0`: the first argument register, the struct pointer of the tests.
    let reg: String
    /// `%si` / `%x1`.
    var secondReg: String { architecture == .x86_64 ? "si" : "x1" }
    let stack: UInt64
    let data: UInt64

    init(_ architecture: Architecture) {
        self.architecture = architecture
        machine = Machine(core: architecture == .x86_64 ? X86Core() : ARM64Core(), cpuCount: 1)
        reg = architecture == .x86_64 ? "di" : "x0"
        stack = machine.allocate(size: Machine.threadSize, alignment: Machine.threadSize)
        data = machine.allocate(size: 0x1000, alignment: 0x1000)
    }

    var firstArgumentSlot: Int { architecture == .x86_64 ? X86PtRegs.di : ARM64PtRegs.x0 }

    func write(_ address: UInt64, _ value: UInt64, size: Int = 8) throws {
        try machine.memory.kernelWrite(address, size: size, value: value)
    }

    func write(_ address: UInt64, string: String) throws {
        try machine.memory.kernelWrite(address, bytes: Array(string.utf8) + [0])
    }

    /// The arguments of `p:fetch/ev target ARGS` (or `r:` with `isReturn`).
    func args(_ text: String, isReturn: Bool = false) throws -> [ProbeArg] {
        let line = "\(isReturn ? "r" : "p"):fetch/ev target_function \(text)"
        guard case .define(let definition)? = try KprobeEventCommand.parse(line, architecture: architecture,
                                                                         profile: .debian61) else {
            Issue.record("not a definition: \(line)")
            return []
        }
        return definition.args
    }

    func fetch(_ text: String, isReturn: Bool = false) throws -> [ProbeArgValue] {
        try args(text, isReturn: isReturn).map { $0.fetch(env) }
    }
}

@Suite struct FetchEvaluationTests {
    /// A struct written at `data`, pointed to by the first argument register:
    /// +0 u64 0x1122334455667788, +8 u32 0xdeadbeef (u16 0xbeef, 0xdead), +12 u32 0x1234,
    /// +16 pointer to "hello" (at +0x100), +24 "inline", +32/+40 pointers to "hello" and +24.
    private static func structLab(_ architecture: Architecture) throws -> FetchLab {
        let lab = FetchLab(architecture)
        let s = lab.data
        try lab.write(s, 0x1122_3344_5566_7788)
        try lab.write(s + 8, 0xdead_beef, size: 4)
        try lab.write(s + 12, 0x1234, size: 4)
        try lab.write(s + 16, s + 0x100)
        try lab.write(s + 24, string: "inline")
        try lab.write(s + 32, s + 0x100)
        try lab.write(s + 40, s + 24)
        try lab.write(s + 0x100, string: "hello")
        lab.cpu.registers[lab.firstArgumentSlot] = s
        lab.cpu.registers[lab.architecture == .x86_64 ? X86PtRegs.si : 1] = 0x1234_5678_9abc_def0
        lab.machine.symbols.add(Symbol(name: "fetch_data", address: s, size: 0x200, type: "D"))
        return lab
    }

    @Test(arguments: [Architecture.x86_64, .arm64])
    func numbersThroughRegistersAndDereferences(_ architecture: Architecture) throws {
        let lab = try Self.structLab(architecture)
        let s = lab.data, r = lab.reg
        let values = try lab.fetch(
            "a=+8(%\(r)):u32 b=+0(%\(r)):u8 c=+0(%\(r)):s16 d=%\(r) e=%\(lab.secondReg):u8 f=+u8(%\(r)):x32 "
                + "g=+0(+16(%\(r))):u32 h=@fetch_data+8:u32 i=@\(s + 12):u32 j=@fetch_data:symbol "
                + "k=\\-1:u16 l=\\0x12345:u8")
        #expect(values == [
            .scalar(0xdead_beef),          // the u32 at +8
            .scalar(0x88),                 // the low byte of +0 (little-endian)
            .scalar(0x7788),               // the low two bytes; the sign is the printer's business
            .scalar(s),                    // the register itself, x64
            .scalar(0xf0),                 // FETCH_OP_ST_RAW truncates to the type size
            .scalar(0xdead_beef),          // `u` deref: same address space in kprobesim
            .scalar(Self.word("hell")),    // the u32 at *(s + 16) = s + 0x100: "hell" little-endian
            .scalar(0xdead_beef),          // @SYM+OFFS
            .scalar(0x1234),               // @ADDR
            .scalar(0x1122_3344_5566_7788), // symbol: the word at the symbol (printed %pS), not its address
            .scalar(0xffff),               // \-1 truncated to u16
            .scalar(0x45),                 // \0x12345 truncated to u8
        ])
    }

    @Test(arguments: [Architecture.x86_64, .arm64])
    func stringsCommAndImmediates(_ architecture: Architecture) throws {
        let lab = try Self.structLab(architecture)
        let r = lab.reg
        let values = try lab.fetch(
            "a=+24(%\(r)):string b=+0(+16(%\(r))):string c=+0(+16(%\(r))):ustring d=+32(%\(r)):string[2] "
                + "e=$comm f=\\\"lit\":string g=@fetch_data+24:string h=\\\(lab.data + 0x102):string")
        #expect(values == [
            .string("inline"),                        // the deref becomes FETCH_OP_ST_STRING: the string at +24
            .string("hello"),                         // through the pointer at +16
            .string("hello"),
            .array([.string("hello"), .string("inline")]), // [N]: N pointers at +32, +40
            .string("swapper/0"),                     // no task: the idle task of CPU 0
            .string("lit"),
            .string("inline"),
            .string("llo"),                           // an immediate is the string's address
        ])
    }

    /// `fetch_store_strlen` stops at `MAX_STRING_SIZE` bytes with the NUL: 4095 characters of a longer string.
    @Test func longStringsAreCut() throws {
        let lab = FetchLab(.x86_64)
        let text = lab.machine.allocate(size: 5000)
        try lab.write(text, string: String(repeating: "a", count: 4999))
        #expect(try lab.fetch("@\(text):string") == [.string(String(repeating: "a", count: 4095))])
    }

    @Test(arguments: [Architecture.x86_64, .arm64])
    func bitfieldsAndArrays(_ architecture: Architecture) throws {
        let lab = try Self.structLab(architecture)
        let r = lab.reg
        let args = try lab.args("a=+0(%\(r)):b4@8/32 b=+0(%\(r)):b1@63/64 c=+8(%\(r)):u16[3] d=+0(%\(r)):b3@1/8[2] "
                                + "e=+8(%\(r)):x8[4]")
        // u32 0x55667788: bits 8..11 = 0x7. u64 bit 63 of 0x1122... = 0. u16s at +8, +10, +12. u8s 0x88, 0x77:
        // bits 1..3 = (0x88 >> 1) & 7 = 4, (0x77 >> 1) & 7 = 3. Bytes at +8: ef be ad de.
        #expect(args.map { $0.fetch(lab.env) } == [
            .scalar(0x7), .scalar(0),
            .array([.scalar(0xbeef), .scalar(0xdead), .scalar(0x1234)]),
            .array([.scalar(4), .scalar(3)]),
            .array([.scalar(0xef), .scalar(0xbe), .scalar(0xad), .scalar(0xde)]),
        ])
        #expect(args.map(\.field) == [
            ProbeEventField(name: "a", type: .u32), ProbeEventField(name: "b", type: .u64),
            ProbeEventField(name: "c", type: .u16, count: 3), ProbeEventField(name: "d", type: .u8, count: 2),
            ProbeEventField(name: "e", type: .x8, count: 4),
        ])
        // A set top bit: (v << 0) >> 63 in the u64 container.
        try lab.write(lab.data, 1 << 63)
        #expect(args[1].fetch(lab.env) == .scalar(1))
    }

    /// `$argN` past the register arguments: x86_64 reads the stack words above the return address
    /// (`regs_get_kernel_stack_nth(regs, N - 6)`); arm64's 6.1 `regs_get_kernel_argument` returns 0.
    @Test(arguments: [Architecture.x86_64, .arm64])
    func argumentsStackAndRetval(_ architecture: Architecture) throws {
        let lab = FetchLab(architecture)
        let sp = lab.stack + 0x100
        let regs = lab.cpu.registers
        regs[lab.machine.core.spIndex] = sp
        for i in 0..<8 { try lab.write(sp + UInt64(8 * i), 0x1000 + UInt64(i)) }
        let argumentSlots = architecture == .x86_64 ? X86PtRegs.argumentSlots : Array(0..<8)
        for (i, slot) in argumentSlots.enumerated() { regs[slot] = UInt64(i + 1) }
        let values = try lab.fetch("$arg1 $arg6 $arg7 $arg8 $arg9 $stack $stack0 $stack2")
        let beyond: [ProbeArgValue] = architecture == .x86_64
            ? [.scalar(0x1001), .scalar(0x1002), .scalar(0x1003)] // sp + 8, sp + 16, sp + 24
            : [.scalar(7), .scalar(8), .scalar(0)]                // x6, x7, then 0
        #expect(values == [.scalar(1), .scalar(6)] + beyond + [.scalar(sp), .scalar(0x1000), .scalar(0x1002)])

        regs[architecture == .x86_64 ? X86PtRegs.ax : ARM64PtRegs.x0] = 0xfeed
        #expect(try lab.fetch("$retval $retval:s8", isReturn: true) == [.scalar(0xfeed), .scalar(0xed)])
    }

    /// `$stackN` (and x86_64 stack `$argN`) outside the sp's `THREAD_SIZE` block is 0
    /// (`regs_within_kernel_stack`) even where memory is mapped and holds data.
    @Test(arguments: [Architecture.x86_64, .arm64])
    func stackWordsStayInTheStack(_ architecture: Architecture) throws {
        let lab = FetchLab(architecture)
        let sp = lab.stack + Machine.threadSize - 16
        lab.cpu.registers[lab.machine.core.spIndex] = sp
        try lab.write(sp + 8, 0xaaaa)
        try lab.write(sp + 16, 0xbbbb) // the data block right after the stack
        #expect(lab.machine.memory.isMapped(sp + 16))
        #expect(try lab.fetch("$stack1 $stack2") == [.scalar(0xaaaa), .scalar(0)])
        // x86_64 `$arg7`/`$arg8` are `$stack1`/`$stack2`; arm64 has no stack arguments.
        let beyond: [ProbeArgValue] = architecture == .x86_64 ? [.scalar(0xaaaa), .scalar(0)] : [.scalar(0), .scalar(0)]
        #expect(try lab.fetch("$arg7 $arg8") == beyond)
    }

    @Test(arguments: [Architecture.x86_64, .arm64])
    func faults(_ architecture: Architecture) throws {
        let lab = try Self.structLab(architecture)
        let r = lab.reg
        try lab.write(lab.data + 48, 0xdead_0000_0000) // a pointer to nowhere
        let args = try lab.args("a=+0(+48(%\(r))):string b=+0(+48(%\(r))):u32 c=+8(+0(+48(%\(r)))):u64 "
                                + "d=@nosuch_symbol:u32 e=+40(%\(r)):string[3] f=+0(+48(%\(r))):u16[2] "
                                + "g=\\\(lab.data + 24):string[2] h=\\\(lab.data + 24):string[1]")
        let values = args.map { $0.fetch(lab.env) }
        #expect(values == [
            .string(nil), .scalar(0), .scalar(0), .scalar(0),
            .array([.string("inline"), .string(nil), .string(nil)]), // +40 ok, +48 to nowhere, +56 is NULL
            .array([.scalar(0), .scalar(0)]),
            .array([.string(nil), .string(nil)]),  // -EILSEQ on the second element of an immediate
            .array([.string("inline")]),
        ])
        #expect(values[0].printed(as: .string, symbols: lab.machine.symbols) == "(fault)")

        // A pointer table whose second word is past the end of the mapped heap: that FETCH_OP_DEREF fault ends
        // the fetch, so even the first element, read fine, is recorded zero-length.
        let end = (lab.machine.heapNext + Memory.pageSize - 1) & ~(Memory.pageSize - 1)
        #expect(!lab.machine.memory.isMapped(end))
        try lab.write(end - 8, lab.data + 24)
        #expect(try lab.fetch("@\(end - 8):string[1] @\(end - 8):string[2]")
                == [.array([.string("inline")]), .array([.string(nil), .string(nil)])])
        #expect(values[0].dynamicSize == 0)
    }

    /// End to end in a task: a host function stands for the probed function, called with nine arguments;
    /// `$comm` is the task's (cut to `TASK_COMM_LEN - 1`) and `$argN` follows the ABI as set up by the call.
    @Test(arguments: [Architecture.x86_64, .arm64])
    func insideACall(_ architecture: Architecture) throws {
        let lab = FetchLab(architecture)
        let args = try lab.args("$comm $arg1 $arg7 $arg9 $stack0")
        final class Seen { var values: [ProbeArgValue] = [] }
        let seen = Seen()
        let function = lab.machine.registerHostFunction("target_function") { machine, cpu in
            let env = FetchEnvironment(machine: machine, cpu: cpu)
            seen.values = args.map { $0.fetch(env) }
            return .returnValue(0)
        }
        _ = try lab.machine.call(function, arguments: (1...9).map { UInt64($0) * 11 }, comm: "a-very-long-task-name")
        // x86_64: the return address the call pushed. arm64: AAPCS64 passes arguments 1-8 in x0-x7 and the ninth
        // in the first stack slot, [sp] at entry: 9 * 11 = 99 (the kernel's arm64 regs_get_kernel_argument stops at
        // eight registers, so `$arg9` is 0 there while `$stack0` sees the value).
        let stack0: UInt64 = architecture == .x86_64 ? lab.machine.hostReturnAddress : 99
        #expect(seen.values == [.string("a-very-long-tas"), .scalar(11),
                                .scalar(77), .scalar(architecture == .x86_64 ? 99 : 0),
                                .scalar(stack0)])
    }

    /// Arbitrary register values and memory never crash a fetch, and every value has its field's shape.
    @Test(arguments: [Architecture.x86_64, .arm64])
    func fetchNeverCrashes(_ architecture: Architecture) throws {
        let lab = try Self.structLab(architecture)
        let registers = ProbeRegisterTable.names(architecture).map { "%" + $0 }
        let bodies = registers + ["$stack", "$stack7", "$stack2048", "$arg1", "$arg12", "@0x10", "@fetch_data-8",
                                  "\\0xffffffffffffffff"]
        let types = [":u8", ":s16", ":x32", ":u64", ":symbol", ":b3@5/16", ":string", ":ustring", ":u32[4]",
                     ":string[3]", ""]
        var rng = SplitMix64(seed: architecture == .x86_64 ? 1 : 2)
        // Specs the kernel's parser always accepts (traceprobe_parse_probe_arg_body): a register, bare or behind
        // `+off(...)` dereferences, with a scalar, symbol or bitfield type (no array or string, which need a
        // memory reference). At least those must parse and be fetched, so the loop cannot skip everything.
        let alwaysValidTypes: Set = [":u8", ":s16", ":x32", ":u64", ":symbol", ":b3@5/16", ""]
        var parsed = 0, alwaysValid = 0
        for _ in 0..<400 {
            for slot in 0..<RegisterFile.capacity {
                lab.cpu.registers[slot] = rng.next() % 4 == 0 ? lab.data &+ rng.next() % 0x200 : rng.next()
            }
            var body = bodies[Int(rng.next() % UInt64(bodies.count))]
            for _ in 0..<(rng.next() % 3) { body = "+\(Int64(bitPattern: rng.next()) % 64)(\(body))" }
            let type = types[Int(rng.next() % UInt64(types.count))]
            let mustParse = registers.contains(where: { body.hasSuffix("(" + $0) || body == $0 || body.hasSuffix($0 + ")") })
                && !body.contains("$") && alwaysValidTypes.contains(type)
            if mustParse { alwaysValid += 1 }
            guard let arg = try? lab.args("x=\(body)\(type)").first else {
                #expect(!mustParse, "\(body)\(type) refused")
                continue
            }
            parsed += 1
            let value = arg.fetch(lab.env)
            let field = arg.field
            let elements: [ProbeArgValue]
            if let count = field.count {
                guard case .array(let a) = value else { Issue.record("\(body)\(type): \(value)"); continue }
                #expect(a.count == count)
                elements = a
            } else {
                elements = [value]
            }
            for element in elements {
                switch element {
                case .string: #expect(field.type.isString, "\(body)\(type)")
                case .scalar(let v):
                    #expect(!field.type.isString && (field.type.size == 8 || v >> UInt64(field.type.size * 8) == 0),
                            "\(body)\(type): \(v)")
                case .array: Issue.record("nested array for \(body)\(type)")
                }
            }
        }
        // 400 draws, 7 of 11 types always valid, registers most of the bodies: far more than 50 expected.
        #expect(alwaysValid >= 50)
        #expect(parsed >= alwaysValid)
    }

    /// The little-endian word of the first 8 bytes of `text` (NUL-padded).
    private static func word(_ text: String) -> UInt64 {
        Array(text.utf8.prefix(8)).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }
}

/// A deterministic generator for the fuzz test (SplitMix64).
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
