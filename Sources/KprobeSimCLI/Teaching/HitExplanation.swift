import Foundation
import Machine
import Kprobes

/// The teaching view of one kprobe: the bytes before and after arming, the slot, and a numbered timeline of
/// one hit (taken from the ledger) with the register view each handler sees.
struct HitExplanation {
    let machine: Machine
    let profile: KernelProfile
    let function: String
    let offset: UInt64
    let arguments: [UInt64]
    /// Run the x86_64 jump optimizer before the call (what 5 jiffies later would do).
    var optimize = false
    /// Register only a pre_handler (a post_handler keeps x86_64 probes from being jump-optimized).
    var preOnly = false

    /// What the slot's words after the copy mean: the second trap (6.1), a jump back (a boosted x86 probe), or
    /// nothing (the legacy profile steps the copy alone: x86 by the trap flag, arm64 by the hardware step).
    /// kernel: arch/x86/kernel/kprobes/core.c prepare_singlestep / prepare_boost (5.4: arch_copy_kprobe),
    /// arch/arm64/kernel/probes/kprobes.c arch_prepare_ss_slot.
    static func slotNote(_ arch: Architecture, after next: String?, emulated: Bool, steppedDespiteJump: Bool) -> String {
        if emulated { return "written, but never run: this instruction is emulated inside the first trap" }
        guard let next else {
            return arch == .x86_64
                ? "the copy alone: the trap flag steps it and the debug exception brings the CPU back"
                : "the copy alone: the hardware single-step (MDSCR_EL1.SS, PSTATE.SS) runs it and the debug exception brings the CPU back"
        }
        if next.hasPrefix("jmp") {
            // The trap-flag era decides at the hit: a probe with a post_handler is stepped, not boosted.
            return steppedDespiteJump
                ? "the copy, then a jump back, used only while the probe has no post_handler: this one is stepped by the trap flag"
                : "the copy, then a jump back to the next instruction: boosted, no second trap"
        }
        return arch == .x86_64 ? "the copy, then int3: the second trap brings the CPU back"
                               : "the copy, then BRK #0x006: the second trap brings the CPU back"
    }

    func render() throws -> String {
        let arch = machine.architecture
        let kprobes = KprobeManager(machine: machine, profile: profile)
        guard let symbol = machine.symbols.lookup(name: function) else {
            throw SimulationError.invalidRequest("explain: unknown function '\(function)'")
        }
        let address = symbol.address + offset
        var out: [String] = []
        out.append("== kprobe on \(function)+0x\(String(offset, radix: 16)), \(arch), kernel profile \(profile.name)")
        out.append("")
        out.append("1. The probed instruction")
        out.append("   " + Disassembly.line(machine, at: address))

        var views: [String] = []
        var firstHitDone = false
        var preCalls = 0
        /// Where the second hit begins in the ledger (its CPU exception), when only a pre_handler marks hits.
        var secondHit: Int?
        let probe = Kprobe(symbolName: function, offset: offset, preHandler: { ctx in
            preCalls += 1
            if preCalls == 1 { views.append("pre_handler sees   " + RegisterView.describe(ctx.cpu, arch, symbols: ctx.machine.symbols)) }
            if preCalls == 2 && !firstHitDone {
                secondHit = ctx.machine.ledger.entries.lastIndex { ($0.event as? MachineEvent).map { if case .trap = $0 { return true } else { return false } } ?? false }
                ctx.machine.ledger.isRecording = false
            }
            return 0
        }, postHandler: preOnly ? nil : { ctx in
            if !firstHitDone {
                views.append("post_handler sees  " + RegisterView.describe(ctx.cpu, arch, symbols: ctx.machine.symbols))
                firstHitDone = true
                ctx.machine.ledger.isRecording = false
            }
        })
        let before = try machine.memory.kernelRead(address, count: arch == .x86_64 ? 8 : 4)
        // Recorded while registering for the slot's prepared bytes: what follows the copy depends on the profile.
        machine.ledger.clear()
        machine.ledger.isRecording = true
        defer { machine.ledger.isRecording = false }
        do { try kprobes.register(probe) } catch {
            out.append("")
            out.append("register_kprobe() = \(error): the kernel refuses this address")
            return out.joined(separator: "\n")
        }
        let after = try machine.memory.kernelRead(address, count: before.count)
        out.append("")
        out.append("2. register_kprobe(): the breakpoint goes into the text, the original is kept")
        out.append("   before:  " + hexBytes(before))
        let note: String
        if probe.isFtrace {
            note = "the fentry NOP became a call; nothing saved, no breakpoint"
        } else if arch == .x86_64 {
            note = "int3 = cc over the first byte; opcode = \(hexBytes(probe.opcode)) saved in the kprobe"
        } else {
            note = "BRK #0x004 = d4200080; the original word \(hexBytes(probe.opcode)) saved"
        }
        out.append("   after:   " + hexBytes(after) + "   (" + note + ")")
        if probe.isFtrace {
            out.append("   ftrace-based (the address is the function's fentry site): no int3, no slot; the 5-byte NOP")
            out.append("   became a call into ftrace_regs_caller, whose handler presents ip = addr + 1 to the pre_handler")
            out.append("     " + Disassembly.line(machine, at: address))
        } else if let slot = probe.slotAddress {
            out.append("   slot at 0x\(String(slot, radix: 16)) (\(machine.symbols.formatName(slot))):")
            let prepared = machine.ledger.events(of: KprobeEvent.self).lazy.compactMap { event -> [UInt8]? in
                if case .slotPrepared(address, slot, let bytes) = event { return bytes } else { return nil }
            }.first ?? []
            var at = slot
            var texts: [String] = []
            while at < slot + UInt64(prepared.count) {
                let (bytes, text) = Disassembly.instruction(machine, at: at)
                out.append("     " + Disassembly.line(machine, at: at))
                texts.append(text)
                at += UInt64(max(1, bytes.count))
            }
            let stepped = profile.x86SingleStep == .trapFlag && !preOnly
            out.append("     (" + Self.slotNote(arch, after: texts.dropFirst().first, emulated: probe.isEmulated,
                                                steppedDespiteJump: stepped) + ")")
        } else {
            out.append("   no slot: this instruction is " + (arch == .x86_64 ? "emulated" : "simulated")
                + " inside the first trap, never executed out of line")
        }

        if optimize && probe.isOptimized {
            kprobes.runOptimizer()
            if let detour = kprobes.detourAddress(of: probe) {
                out.append("   kprobe_optimizer (OPTIMIZE_DELAY later): the int3 became a jump to the detour buffer;")
                out.append("   bytes after the jump's 5 are left as they were (stale, never executed):")
                out.append("     after:  " + hexBytes(try machine.memory.kernelRead(address, count: before.count)))
                out.append("     " + Disassembly.line(machine, at: address))
                out.append("   detour at 0x\(String(detour, radix: 16)): the callback trap, the relocated instructions, the jump back")
                var at = detour
                for _ in 0..<6 {
                    let (bytes, text) = Disassembly.instruction(machine, at: at)
                    out.append("     " + Disassembly.line(machine, at: at))
                    at += UInt64(max(1, bytes.count))
                    if text.hasPrefix("jmp") { break }
                }
            }
        }
        machine.ledger.clear()
        machine.ledger.isRecording = true
        let result = try machine.call(symbol.address, arguments: arguments)
        machine.ledger.isRecording = false
        out.append("")
        out.append("3. One hit, step by step (\(function)(\(arguments.map { String($0) }.joined(separator: ", "))))")
        var step = 1
        var viewIndex = 0
        for entry in machine.ledger.entries.prefix(secondHit ?? machine.ledger.entries.count) {
            let text: String
            if let event = entry.event as? KprobeEvent {
                switch event {
                case .registered, .armed, .slotPrepared: continue
                default: text = event.description
                }
            } else if let event = entry.event as? MachineEvent, case .trap = event {
                text = event.description
            } else {
                continue
            }
            out.append(String(format: "   %2d. ", step) + text)
            step += 1
            if let event = entry.event as? KprobeEvent, viewIndex < views.count {
                switch event {
                case .preHandler, .postHandler:
                    out.append("       " + views[viewIndex])
                    viewIndex += 1
                default: break
                }
            }
        }
        out.append("")
        out.append("4. Result \(function)(...) = \(result); the probe fired \(probe.nhit) times, nmissed = \(probe.nmissed)")
        kprobes.unregister(probe)
        out.append("   unregister_kprobe() restored: " + hexBytes(try machine.memory.kernelRead(address, count: before.count)))
        return out.joined(separator: "\n")
    }

    private func hexBytes(_ bytes: [UInt8]) -> String { bytes.map { String(format2: $0) }.joined(separator: " ") }
}
