import ARM64
import Machine
import X86_64

/// What a probe argument can read at a probe hit: the trapped CPU's `pt_regs` (its register file), `current`,
/// and kernel memory. kernel: kernel/trace/trace_kprobe.c `process_fetch_insn` (the `regs` and `current` it
/// reads), arch/x86/include/asm/ptrace.h and arch/arm64/include/asm/ptrace.h (the accessors below).
public struct FetchEnvironment {
    public let machine: Machine
    public let cpu: CPU

    public init(machine: Machine, cpu: CPU) {
        self.machine = machine
        self.cpu = cpu
    }

    /// `TASK_COMM_LEN` (include/linux/sched.h): `comm` holds at most 15 bytes and a NUL.
    static let taskCommLength = 16
    /// `MAX_STRING_SIZE` (`PATH_MAX`, kernel/trace/trace_probe.h): `fetch_store_strlen` stops at this many
    /// bytes including the NUL.
    static let maxStringSize = 4096

    /// `current->comm`. With no task on the CPU it is the idle task's: kernel/sched/core.c `init_idle` names
    /// it `"%s/%d"` of `INIT_TASK_COMM` ("swapper") and the CPU number.
    var comm: String {
        let name = cpu.currentTask?.comm ?? "swapper/\(cpu.id)"
        return String(decoding: name.utf8.prefix(Self.taskCommLength - 1), as: UTF8.self)
    }

    /// `regs_get_register(regs, offset)` for a `%REG` name (`regs_query_register_offset`); nil for a name the
    /// architecture's `regoffset_table` lacks (the parser already refused it).
    func register(named name: String) -> UInt64? {
        let slot = switch machine.architecture {
        case .x86_64: X86PtRegs.slot(named: name)
        case .arm64: ARM64PtRegs.slot(named: name)
        }
        return slot.map { cpu.registers[$0] }
    }

    /// `kernel_stack_pointer(regs)`.
    var stackPointer: UInt64 { cpu.registers[machine.spIndex] }

    /// `regs_get_kernel_stack_nth(regs, n)`: the `n`th word at the stack pointer if it lies within the kernel
    /// stack (`regs_within_kernel_stack`), else 0; a read that faults is 0 too (x86 reads with
    /// `copy_from_kernel_nofault`; arm64's `READ_ONCE_NOCHECK` would oops, kprobesim gives 0).
    func stackWord(_ n: UInt64) -> UInt64 {
        let (offset, overflow) = n.multipliedReportingOverflow(by: 8)
        let address = stackPointer &+ offset
        guard !overflow, isWithinKernelStack(address) else { return 0 }
        return readWord(address) ?? 0
    }

    /// `regs_within_kernel_stack(regs, addr)`: the kernel compares the `THREAD_SIZE`-aligned blocks of `addr`
    /// and sp. kprobesim's task stacks are `THREAD_SIZE` long but only page-aligned (a guard page precedes
    /// each), so the current task's stack is used when sp lies in it, the aligned block otherwise.
    private func isWithinKernelStack(_ address: UInt64) -> Bool {
        let sp = stackPointer
        if let task = cpu.currentTask, (task.stackBottom..<task.stackTop).contains(sp) {
            return (task.stackBottom..<task.stackTop).contains(address)
        }
        return address & ~(Machine.threadSize - 1) == sp & ~(Machine.threadSize - 1)
    }

    /// `probe_mem_read` / `probe_mem_read_user` of `size` bytes (1, 2, 4 or 8); nil when the access faults.
    /// User and kernel addresses share the simulator's one address space, so `u` dereferences read the same
    /// memory (`copy_from_user_nofault` and `copy_from_kernel_nofault` differ only in which half they accept).
    func read(_ address: UInt64, size: Int) -> UInt64? {
        try? machine.memory.kernelRead(address, size: size)
    }

    /// A `FETCH_OP_DEREF` step: one `unsigned long` (8 bytes on both 64-bit architectures).
    func readWord(_ address: UInt64) -> UInt64? { read(address, size: 8) }

    /// `fetch_store_strlen` then `fetch_store_string` (`strncpy_from_kernel_nofault`): the bytes up to the NUL,
    /// at most `MAX_STRING_SIZE - 1` of them; nil when any byte faults (the record's `__data_loc` is then
    /// zero-length, printed `(fault)`).
    func readString(_ address: UInt64) -> String? {
        var bytes: [UInt8] = []
        while bytes.count < Self.maxStringSize - 1 {
            guard let byte = read(address &+ UInt64(bytes.count), size: 1) else { return nil }
            if byte == 0 { break }
            bytes.append(UInt8(byte))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `@SYM[+|-OFFS]` as registration resolves it: `traceprobe_split_symbol_offset` (the offset starts at the
    /// first `+` or `-`) and `kallsyms_lookup_name`. Nil when the symbol is unknown or the offset malformed.
    func symbolAddress(_ text: String) -> UInt64? {
        let sign = text.firstIndex(where: { $0 == "+" || $0 == "-" }) ?? text.endIndex
        let offset = sign == text.endIndex ? 0 : KernelNumber.kstrtoll(text[sign...], base: 0)
        guard let offset, let symbol = machine.symbols.lookup(name: String(text[..<sign])) else { return nil }
        return symbol.address &+ UInt64(bitPattern: offset)
    }
}

extension FetchEnvironment {
    /// The value the fetch instructions before the store leave (`process_fetch_insn`'s first stage, then the
    /// FETCH_OP_DEREF steps of stage 2); nil when a dereference faults.
    func value(_ arg: FetchArg) -> UInt64? {
        switch arg {
        case .register(let name): register(named: name)
        case .stackPointer: stackPointer
        case .stack(let n): stackWord(n)
        // FETCH_OP_ARG: `regs_get_kernel_argument(regs, N - 1)`: x86_64 di, si, dx, cx, r8, r9, then
        // `regs_get_kernel_stack_nth(regs, N - 6)` (the words above the return address, within the stack);
        // arm64 x0..x7 and 0 beyond (no stack arguments in 6.1).
        case .argument(let n):
            machine.architecture == .x86_64 && n > 6
                ? stackWord(n - 6) : machine.argument(Int(clamping: n - 1), on: cpu)
        case .retval: machine.returnValue(on: cpu)
        case .immediate(let value): value
        case .memory, .symbolMemory, .dereference: storeAddress(arg).flatMap(readWord)
        // Addresses of data kprobesim keeps outside simulated memory; the parser only lets them be strings.
        case .comm, .immediateString: nil
        }
    }

    /// Where the last FETCH_OP_DEREF reads: the address for `@ADDR` / `@SYM` (FETCH_OP_IMM), the inner
    /// value plus the offset for `OFFS(FETCHARG)`.
    func storeAddress(_ arg: FetchArg) -> UInt64? {
        switch arg {
        case .memory(let address): address
        case .symbolMemory(let text): symbolAddress(text)
        case .dereference(let offset, _, let base): value(base).map { $0 &+ UInt64(bitPattern: offset) }
        default: nil
        }
    }
}
