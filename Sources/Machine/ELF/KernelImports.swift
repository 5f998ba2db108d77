/// Stand-ins for the kernel symbols a kernel module (`.ko`) imports and the simulator has no object for, so a
/// module built against a real kernel's headers loads as it is. Plain objects (`.o`) get none: an undefined
/// symbol there stays an error.
///
/// - x86_64 retpoline thunks `__x86_indirect_thunk_REG` become `jmp *%REG`, what the thunk does
///   architecturally; the guest kernels keep their modules' retpoline call sites live (apply_retpolines leaves
///   them when X86_FEATURE_RETPOLINE is set), so the module really calls them.
/// - `memset`, `memcpy` and `memmove`, which the compiler calls on its own for struct copies and zeroing, are
///   host functions doing what the kernel's do (lib/string.c, arch memcpy); `msleep` puts the calling task to
///   sleep for that many milliseconds of simulated time (kernel/time/timer.c).
/// - Every other import is a host function that stops the run with an error naming it if it is ever called
///   (`__fentry__` and `__x86_return_thunk` never are: their call sites are patched at load, see
///   `KernelModulePatches`).
enum KernelImports {
    /// The kernel library functions a module's compiled code may call implicitly, as host functions.
    static func library(_ name: String) -> ((Machine, CPU) -> HostCallOutcome)? {
        func arguments(_ machine: Machine, _ cpu: CPU) -> (UInt64, UInt64, Int) {
            (machine.argument(0, on: cpu), machine.argument(1, on: cpu), Int(clamping: machine.argument(2, on: cpu)))
        }
        /// Larger sizes are a wild length, not a copy: refused rather than allocated.
        let limit = 1 << 26
        func tooLarge(_ n: Int) -> HostCallOutcome {
            .fail(.invalidRequest("kernel function '\(name)' was asked for \(n) bytes, more than the simulator's limit of \(limit)"))
        }
        func fault(_ error: MemoryFault) -> HostCallOutcome {
            .fail(.invalidRequest("kernel function '\(name)' faulted: \(error)"))
        }
        switch name {
        case "memset":
            return { machine, cpu in
                let (dst, c, n) = arguments(machine, cpu)
                guard n <= limit else { return tooLarge(n) }
                do throws(MemoryFault) { try machine.memory.kernelWrite(dst, bytes: [UInt8](repeating: UInt8(truncatingIfNeeded: c), count: n)) } catch {
                    return fault(error)
                }
                return .returnValue(dst)
            }
        case "memcpy", "memmove":
            return { machine, cpu in
                let (dst, src, n) = arguments(machine, cpu)
                guard n <= limit else { return tooLarge(n) }
                do throws(MemoryFault) { try machine.memory.kernelWrite(dst, bytes: machine.memory.kernelRead(src, count: n)) } catch {
                    return fault(error)
                }
                return .returnValue(dst)
            }
        case "msleep":
            // The cost model runs at 1 GHz: a millisecond is 10^6 cycles.
            return { machine, cpu in
                .sleep(cycles: machine.argument(0, on: cpu).multipliedReportingOverflow(by: 1_000_000).partialValue, returning: 0)
            }
        default: return nil
        }
    }

    /// Resolves the module's undefined symbols that `machine` does not define, adding the stand-ins to it.
    static func provide(_ names: [String], architecture: Architecture, machine: Machine) {
        var thunks: [(name: String, code: [UInt8])] = []
        for name in names where machine.symbols.lookup(name: name) == nil {
            if architecture == .x86_64, let code = indirectThunk(name) {
                thunks.append((name, code))
                continue
            }
            machine.registerHostFunction(name, body: library(name) ?? { _, _ in
                .fail(.invalidRequest("kernel function '\(name)' was called, but the simulator does not provide it (the module imports it from the kernel)"))
            })
        }
        guard !thunks.isEmpty else { return }
        let slot: UInt64 = 16
        let base = machine.reserveImage(size: UInt64(thunks.count) * slot)
        let size = UInt64(thunks.count) * slot
        machine.memory.map(base, size: size, permissions: .text)
        for (index, thunk) in thunks.enumerated() {
            let address = base + UInt64(index) * slot
            // The page was just mapped writable for the kernel: this cannot fail.
            try? machine.memory.kernelWrite(address, bytes: thunk.code)
            machine.symbols.add(Symbol(name: thunk.name, address: address, size: UInt64(thunk.code.count), type: "T"))
        }
        machine.symbols.addTextRegion(base..<(base + size))
    }

    /// `jmp *%REG` for `__x86_indirect_thunk_REG`. kernel: arch/x86/lib/retpoline.S (the thunk's effect).
    static func indirectThunk(_ name: String) -> [UInt8]? {
        let prefix = "__x86_indirect_thunk_"
        guard name.hasPrefix(prefix) else { return nil }
        let registers = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                         "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
        guard let number = registers.firstIndex(of: String(name.dropFirst(prefix.count))) else { return nil }
        let modrm = 0xe0 | UInt8(number & 7)
        return number < 8 ? [0xff, modrm] : [0x41, 0xff, modrm]
    }
}
