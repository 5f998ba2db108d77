import Machine

/// Benchmarks of the machine layer itself: the memory fast path, and what the ledger costs when off and on.
enum MachineCases {
    static func register(_ harness: inout Harness) {
        let memory = Memory()
        memory.map(0x10000, size: 0x10000, permissions: .data)
        let operations = 1_000_000
        harness.measure("memory: read64 (TLB hit)") {
            var sum: UInt64 = 0
            for i in 0..<operations { sum &+= (try? memory.read64(0x10000 + UInt64(i & 0xfff) * 8)) ?? 0 }
            blackHole(sum)
            return operations
        }

        // Ledger: the same loop with a record call when nobody listens, against the loop without it.
        // The loop body reads memory so the optimiser cannot fold it into a closed form.
        let ledger = Ledger()
        let events = 1_000_000
        harness.compare("ledger: loop without record", {
            var sum: UInt64 = 0
            for i in 0..<events { sum &+= (try? memory.read64(0x10000 + UInt64(i & 0xfff) * 8)) ?? 0 }
            blackHole(sum)
            return events
        }, "ledger: loop with record, recording off", {
            var sum: UInt64 = 0
            for i in 0..<events {
                sum &+= (try? memory.read64(0x10000 + UInt64(i & 0xfff) * 8)) ?? 0
                ledger.record(cpu: nil, MachineEvent.hostCall(name: "x"))
            }
            blackHole(sum)
            return events
        }, note: "cost of an unheard event")
        let recording = Ledger()
        recording.isRecording = true
        harness.measure("ledger: record, recording on", note: "one event appended") {
            recording.clear()
            for _ in 0..<100_000 { recording.record(cpu: nil, MachineEvent.taskWoken(pid: 1)) }
            return 100_000
        }
    }
}
