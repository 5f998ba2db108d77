import Testing
@testable import Machine

@Suite("Memory: sparse pages, permissions, faults as values")
struct MemoryTests {
    @Test("unmapped memory faults with the address and access kind, and reports the page absent")
    func unmappedFaults() {
        let memory = Memory()
        #expect(throws: MemoryFault(address: 0x1000, access: .read, pagePresent: false)) {
            _ = try memory.read64(0x1000)
        }
        #expect(throws: MemoryFault(address: 0xffff_0000_0000_0008, access: .write, pagePresent: false)) {
            try memory.write32(0xffff_0000_0000_0008, 1)
        }
    }

    @Test("little-endian words of every size round-trip, and bytes land in little-endian order")
    func littleEndian() throws {
        let memory = Memory()
        memory.map(0x10000, size: 0x1000, permissions: .data)
        try memory.write64(0x10008, 0x1122_3344_5566_7788)
        // Hand derivation: little-endian puts the least significant byte first.
        #expect(try memory.kernelRead(0x10008, count: 8) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        #expect(try memory.read8(0x10008) == 0x88)
        #expect(try memory.read16(0x10009) == 0x6677)
        #expect(try memory.read32(0x1000c) == 0x1122_3344)
        try memory.write16(0x10000, 0xbeef)
        #expect(try memory.read64(0x10000) == 0xbeef)
    }

    @Test("an access straddling two pages works when both are mapped and faults at the first missing byte")
    func pageStraddle() throws {
        let memory = Memory()
        memory.map(0x20000, size: 0x2000, permissions: .data)
        try memory.write64(0x20ffc, 0x0102_0304_0506_0708)
        #expect(try memory.read64(0x20ffc) == 0x0102_0304_0506_0708)
        #expect(throws: MemoryFault(address: 0x22000, access: .read, pagePresent: false)) {
            _ = try memory.read64(0x21ffc)
        }
    }

    @Test("a faulting write changes nothing, even the bytes before the fault")
    func faultingWriteIsAtomic() throws {
        let memory = Memory()
        memory.map(0x30000, size: 0x1000, permissions: .data)
        #expect(throws: MemoryFault.self) { try memory.write64(0x30ffc, UInt64.max) }
        #expect(try memory.kernelRead(0x30ffc, count: 4) == [0, 0, 0, 0])
    }

    @Test("text is not writable by simulated code, and not executable when mapped as data")
    func permissions() throws {
        let memory = Memory()
        memory.map(0x40000, size: 0x1000, permissions: .text)
        memory.map(0x41000, size: 0x1000, permissions: .data)
        #expect(throws: MemoryFault(address: 0x40010, access: .write, pagePresent: true)) {
            try memory.write8(0x40010, 0xcc)
        }
        var buffer = [UInt8](repeating: 0, count: 4)
        let fetchFault = #expect(throws: MemoryFault.self) {
            _ = try buffer.withUnsafeMutableBufferPointer { try memory.fetch(0x41000, into: $0.baseAddress!, count: 4) }
        }
        #expect(fetchFault?.access == .execute)
        #expect(fetchFault?.pagePresent == true)
        // A read-only mapping refuses writes after `protect`.
        try memory.protect(0x41000, size: 0x1000, permissions: .rodata)
        #expect(throws: MemoryFault.self) { try memory.write8(0x41000, 1) }
        #expect(memory.permissions(at: 0x41000) == .rodata)
    }

    @Test("an instruction fetch stops at the end of executable memory instead of faulting, once it has a byte")
    func fetchStopsAtBoundary() throws {
        let memory = Memory()
        memory.map(0x50000, size: 0x1000, permissions: .text)
        try memory.kernelWrite(0x50ffe, bytes: [0x90, 0xc3])
        var buffer = [UInt8](repeating: 0, count: 15)
        let n = try buffer.withUnsafeMutableBufferPointer { try memory.fetch(0x50ffe, into: $0.baseAddress!, count: 15) }
        #expect(n == 2)
        #expect(Array(buffer[0..<2]) == [0x90, 0xc3])
    }

    @Test("regions merge adjacent pages with equal permissions")
    func regions() throws {
        let memory = Memory()
        memory.map(0x1000, size: 0x2000, permissions: .text)
        memory.map(0x3000, size: 0x1000, permissions: .data)
        memory.map(0x9000, size: 1, permissions: .data)
        let regions = memory.regions()
        try #require(regions.count == 3)
        #expect(regions[0].start == 0x1000 && regions[0].end == 0x3000 && regions[0].permissions == .text)
        #expect(regions[2].start == 0x9000 && regions[2].end == 0xa000)
    }
}

@Suite("Text poking invalidates cached decodes")
struct TextPokeTests {
    final class Recorder: TextPokeObserver {
        var changes: [(UInt64, Int)] = []
        func textChanged(at address: UInt64, length: Int) { changes.append((address, length)) }
    }

    @Test("pokeText writes read-only text and tells observers exactly which bytes changed")
    func pokeNotifies() throws {
        let memory = Memory()
        let recorder = Recorder()
        memory.addTextPokeObserver(recorder)
        memory.map(0x40000, size: 0x1000, permissions: .text)
        try memory.pokeText(0x40005, bytes: [0xcc])
        #expect(try memory.kernelRead(0x40005, count: 1) == [0xcc])
        #expect(recorder.changes.count == 1)
        #expect(recorder.changes.first?.0 == 0x40005 && recorder.changes.first?.1 == 1)
    }

    @Test("writes to data pages do not disturb decode caches; writes to write+execute pages do")
    func writesToExecutableMemoryNotify() throws {
        let memory = Memory()
        let recorder = Recorder()
        memory.addTextPokeObserver(recorder)
        memory.map(0x60000, size: 0x1000, permissions: .data)
        memory.map(0x61000, size: 0x1000, permissions: [.read, .write, .execute])
        try memory.write64(0x60000, 1)
        #expect(recorder.changes.isEmpty)
        // Twice, so the second write would hit the TLB if write+execute pages were cached for writing.
        try memory.write32(0x61010, 0xd503201f)
        try memory.write32(0x61014, 0xd503201f)
        #expect(recorder.changes.map(\.0) == [0x61010, 0x61014])
    }

    @Test("poking unmapped memory fails and writes nothing")
    func pokeUnmapped() throws {
        let memory = Memory()
        memory.map(0x40000, size: 0x1000, permissions: .text)
        #expect(throws: MemoryFault(address: 0x41000, access: .write, pagePresent: false)) {
            try memory.pokeText(0x40fff, bytes: [0xcc, 0xcc])
        }
        #expect(try memory.kernelRead(0x40fff, count: 1) == [0])
    }
}
