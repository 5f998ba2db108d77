import Foundation
import Machine
import Kprobes

/// The teaching view of one kretprobe: where the return address lives at entry (`[sp]` on x86_64, `x30` on
/// arm64), what it holds before and after the swap, the function really returning into the trampoline, and the
/// handler's view with the real return address and the return value.
struct ReturnExplanation {
    let machine: Machine
    let profile: KernelProfile
    let function: String
    let caller: String
    let arguments: [UInt64]

    func render() throws -> String {
        let arch = machine.architecture
        let kprobes = KprobeManager(machine: machine, profile: profile)
        let symbols = machine.symbols
        func name(_ a: UInt64) -> String { symbols.objdumpName(a) ?? "0x" + String(a, radix: 16) }
        var out = ["== kretprobe on \(function), called from \(caller), \(arch), kernel profile \(profile.name)", ""]
        var slotBefore: (location: String, value: UInt64)?
        var handlerView = ""
        let rp = Kretprobe(symbolName: function, handler: { _, ctx in
            handlerView = "ip = \(name(ctx.regs.ip)), return value = \(ctx.regs.returnValue), sp = 0x\(String(ctx.regs.sp, radix: 16))"
            return 0
        }, entryHandler: { _, ctx in
            switch arch {
            case .x86_64:
                let sp = ctx.regs.sp
                slotBefore = ("[sp] = word at 0x\(String(sp, radix: 16))", (try? ctx.machine.memory.read64(sp)) ?? 0)
            case .arm64:
                slotBefore = ("x30 (lr)", ctx.regs[30])
            }
            return 0
        })
        do { try kprobes.register(rp) } catch {
            out.append("register_kretprobe() = \(error)")
            return out.joined(separator: "\n")
        }
        out.append("1. register_kretprobe(): an entry kprobe on \(function)+0x0, maxactive = \(rp.maxactive) (written back),")
        out.append("   trampoline \(name(kprobes.trampoline ?? 0)) at 0x\(String(kprobes.trampoline ?? 0, radix: 16)): "
            + Disassembly.line(machine, at: kprobes.trampoline ?? 0).split(separator: " ", maxSplits: 1).last.map(String.init)!.trimmingCharacters(in: .whitespaces))
        machine.ledger.clear()
        machine.ledger.isRecording = true
        let result = try machine.call(caller, arguments: arguments)
        machine.ledger.isRecording = false
        out.append("")
        out.append("2. At entry, before the swap: \(slotBefore?.location ?? "?") = 0x\(String(slotBefore?.value ?? 0, radix: 16)) (\(name(slotBefore?.value ?? 0)))")
        var step = 1
        out.append("3. The call, step by step:")
        for entry in machine.ledger.entries {
            guard let event = entry.event as? KprobeEvent else { continue }
            switch event {
            case .kretprobeTake(_, let left):
                out.append(String(format: "   %2d. ", step) + "pre_handler_kretprobe takes an instance (\(left) left in the pool)")
            case .kretprobeSwap(_, let real, let trampoline):
                out.append(String(format: "   %2d. ", step) + "swap: \(slotBefore?.location ?? "the return address") 0x\(String(real, radix: 16)) (\(name(real))) -> 0x\(String(trampoline, radix: 16)) (\(name(trampoline)))")
            case .kretprobeTrampoline(_, let real):
                out.append(String(format: "   %2d. ", step) + "\(function) returns into the trampoline; the instance gives the real return address \(name(real))")
            case .kretprobeHandler:
                out.append(String(format: "   %2d. ", step) + "return handler sees " + handlerView)
            case .kretprobeRestore(let real):
                out.append(String(format: "   %2d. ", step) + "execution continues at the real return address \(name(real))")
            case .preHandler, .slotStep, .emulated, .simulated, .slotReturn:
                out.append(String(format: "   %2d. ", step) + "(entry probe) " + event.description)
            default: continue
            }
            step += 1
        }
        out.append("")
        out.append("4. \(caller)(\(arguments.map { String($0) }.joined(separator: ", "))) = \(result); rp->nmissed = \(rp.nmissed), free instances \(rp.freeInstances) of \(rp.maxactive)")
        kprobes.unregister(rp)
        return out.joined(separator: "\n")
    }
}
