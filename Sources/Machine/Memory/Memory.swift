/// Sparse, paged, little-endian simulated memory with 64-bit addresses and per-page permissions.
///
/// Simulated code goes through the checked accessors (`read64`, `write32`, `fetch`...), which honour the page
/// permissions and report refusals as `MemoryFault` values. The kernel's own privileged paths have their own
/// entry points: `pokeText` is `text_poke()` (writes read-only text and tells every decode cache), and
/// `kernelRead`/`kernelWrite` are the accesses the simulator makes on the kernel's behalf (loading, building
/// stacks), which ignore the write permission but never invent unmapped memory.
///
/// The hot path is a small direct-mapped software TLB in front of a page dictionary: a hit costs a tag compare
/// and a load, so executors can call the accessors per instruction.
public final class Memory {
    public static let pageShift: UInt64 = 12
    public static let pageSize: UInt64 = 1 << pageShift
    @usableFromInline static let pageMask: UInt64 = pageSize - 1
    @usableFromInline static let tlbEntries = 256

    /// Page number → index into `pages`/`permissionsOf`.
    private var pageTable: [UInt64: Int] = [:]
    private var pages: [UnsafeMutablePointer<UInt8>] = []
    private var permissionsOf: [PagePermissions] = []
    private var pageNumbers: [UInt64] = []

    // Direct-mapped TLB: tag is page number + 1 (0 = empty), with the page's base pointer and rights.
    @usableFromInline let tlbTag: UnsafeMutablePointer<UInt64>
    @usableFromInline let tlbBase: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    @usableFromInline let tlbRights: UnsafeMutablePointer<UInt8>
    /// What empty TLB slots point at (never dereferenced: an empty slot's tag never matches).
    private let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    private var observers: [WeakObserver] = []

    public init() {
        tlbTag = .allocate(capacity: Memory.tlbEntries)
        tlbTag.initialize(repeating: 0, count: Memory.tlbEntries)
        tlbBase = .allocate(capacity: Memory.tlbEntries)
        tlbBase.initialize(repeating: scratch, count: Memory.tlbEntries)
        tlbRights = .allocate(capacity: Memory.tlbEntries)
        tlbRights.initialize(repeating: 0, count: Memory.tlbEntries)
    }

    deinit {
        for page in pages { page.deallocate() }
        tlbTag.deallocate()
        tlbBase.deallocate()
        tlbRights.deallocate()
        scratch.deallocate()
    }

    // MARK: Mapping

    /// Maps every page overlapping `[address, address + size)` with `permissions`. New pages are zero-filled;
    /// pages already mapped keep their contents and take the new permissions.
    public func map(_ address: UInt64, size: UInt64, permissions: PagePermissions) {
        guard size > 0 else { return }
        let first = address >> Memory.pageShift
        let last = (address &+ (size - 1)) >> Memory.pageShift
        var page = first
        while true {
            if let index = pageTable[page] {
                permissionsOf[index] = permissions
            } else {
                let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(Memory.pageSize))
                storage.initialize(repeating: 0, count: Int(Memory.pageSize))
                pageTable[page] = pages.count
                pages.append(storage)
                permissionsOf.append(permissions)
                pageNumbers.append(page)
            }
            if page == last { break }
            page &+= 1
        }
        flushTLB()
    }

    /// Unmaps every page overlapping the range (`vfree` of a module's memory): later accesses fault, and decode
    /// caches are told the bytes changed. The page storage is kept until the memory itself goes (pages are
    /// never handed out again).
    public func unmap(_ address: UInt64, size: UInt64) {
        guard size > 0 else { return }
        let first = address >> Memory.pageShift
        let last = (address &+ (size - 1)) >> Memory.pageShift
        for page in first...last { pageTable[page] = nil }
        flushTLB()
        notifyTextChanged(at: first << Memory.pageShift, length: Int((last - first + 1) << Memory.pageShift))
    }

    /// Changes the permissions of mapped pages overlapping the range (like `set_memory_ro`/`set_memory_x`).
    /// Unmapped pages in the range are an error: they have no permissions to change.
    public func protect(_ address: UInt64, size: UInt64, permissions: PagePermissions) throws(MemoryFault) {
        guard size > 0 else { return }
        let first = address >> Memory.pageShift
        let last = (address &+ (size - 1)) >> Memory.pageShift
        var page = first
        while true {
            guard let index = pageTable[page] else {
                throw MemoryFault(address: max(address, page << Memory.pageShift), access: .read, pagePresent: false)
            }
            permissionsOf[index] = permissions
            if page == last { break }
            page &+= 1
        }
        flushTLB()
    }

    /// The permissions of the page holding `address`, or nil when nothing is mapped there.
    public func permissions(at address: UInt64) -> PagePermissions? {
        pageTable[address >> Memory.pageShift].map { permissionsOf[$0] }
    }

    public func isMapped(_ address: UInt64) -> Bool { pageTable[address >> Memory.pageShift] != nil }

    /// Number of mapped pages (for tests and reports).
    public var mappedPageCount: Int { pages.count }

    // MARK: Observers

    /// Registers a decode cache (held weakly) to be told about every change to executable bytes.
    public func addTextPokeObserver(_ observer: TextPokeObserver) {
        observers.removeAll { $0.object == nil }
        observers.append(WeakObserver(object: observer))
    }

    private func notifyTextChanged(at address: UInt64, length: Int) {
        for entry in observers { entry.object?.textChanged(at: address, length: length) }
    }

    // MARK: Checked accesses (simulated code)

    @inlinable @inline(__always)
    func tlbLookup(_ address: UInt64, _ right: UInt8) -> UnsafeMutablePointer<UInt8>? {
        let page = address >> Memory.pageShift
        let slot = Int(truncatingIfNeeded: page) & (Memory.tlbEntries - 1)
        if tlbTag[slot] == page &+ 1, tlbRights[slot] & right != 0 {
            return tlbBase[slot] + Int(truncatingIfNeeded: address & Memory.pageMask)
        }
        return nil
    }

    /// Loads `tlbRights` only with rights that keep the fast path safe: a write-and-execute page is never
    /// cached for writing, so every write to it takes the slow path that tells the decode caches.
    private func tlbFill(page: UInt64, index: Int) {
        let slot = Int(truncatingIfNeeded: page) & (Memory.tlbEntries - 1)
        var rights = permissionsOf[index].rawValue
        if permissionsOf[index].contains([.write, .execute]) { rights &= ~PagePermissions.write.rawValue }
        tlbTag[slot] = page &+ 1
        tlbBase[slot] = pages[index]
        tlbRights[slot] = rights
    }

    private func flushTLB() {
        tlbTag.update(repeating: 0, count: Memory.tlbEntries)
    }

    /// Resolves one byte for a checked access, filling the TLB; throws the fault the access would raise.
    private func resolve(_ address: UInt64, _ access: MemoryFault.Access) throws(MemoryFault) -> UnsafeMutablePointer<UInt8> {
        let page = address >> Memory.pageShift
        guard let index = pageTable[page] else {
            throw MemoryFault(address: address, access: access, pagePresent: false)
        }
        let needed: PagePermissions
        switch access {
        case .read: needed = .read
        case .write: needed = .write
        case .execute: needed = .execute
        }
        guard permissionsOf[index].contains(needed) else {
            throw MemoryFault(address: address, access: access, pagePresent: true)
        }
        tlbFill(page: page, index: index)
        return pages[index] + Int(truncatingIfNeeded: address & Memory.pageMask)
    }

    /// Reads `size` (1, 2, 4 or 8) bytes as simulated code would. Little-endian.
    @inlinable @inline(__always)
    public func read(_ address: UInt64, size: Int) throws(MemoryFault) -> UInt64 {
        if address & Memory.pageMask <= Memory.pageSize &- UInt64(size), let p = tlbLookup(address, 1) {
            switch size {
            case 1: return UInt64(p.pointee)
            case 2: return UInt64(UInt16(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt16.self)))
            case 4: return UInt64(UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self)))
            default: return UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
            }
        }
        return try readSlow(address, size: size, access: .read)
    }

    /// Writes the low `size` (1, 2, 4 or 8) bytes of `value` as simulated code would. Little-endian.
    @inlinable @inline(__always)
    public func write(_ address: UInt64, size: Int, value: UInt64) throws(MemoryFault) {
        if address & Memory.pageMask <= Memory.pageSize &- UInt64(size), let p = tlbLookup(address, 2) {
            switch size {
            case 1: p.pointee = UInt8(truncatingIfNeeded: value)
            case 2: UnsafeMutableRawPointer(p).storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, as: UInt16.self)
            case 4: UnsafeMutableRawPointer(p).storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, as: UInt32.self)
            default: UnsafeMutableRawPointer(p).storeBytes(of: value.littleEndian, as: UInt64.self)
            }
            return
        }
        try writeSlow(address, size: size, value: value)
    }

    @inlinable @inline(__always) public func read8(_ a: UInt64) throws(MemoryFault) -> UInt8 { UInt8(truncatingIfNeeded: try read(a, size: 1)) }
    @inlinable @inline(__always) public func read16(_ a: UInt64) throws(MemoryFault) -> UInt16 { UInt16(truncatingIfNeeded: try read(a, size: 2)) }
    @inlinable @inline(__always) public func read32(_ a: UInt64) throws(MemoryFault) -> UInt32 { UInt32(truncatingIfNeeded: try read(a, size: 4)) }
    @inlinable @inline(__always) public func read64(_ a: UInt64) throws(MemoryFault) -> UInt64 { try read(a, size: 8) }
    @inlinable @inline(__always) public func write8(_ a: UInt64, _ v: UInt8) throws(MemoryFault) { try write(a, size: 1, value: UInt64(v)) }
    @inlinable @inline(__always) public func write16(_ a: UInt64, _ v: UInt16) throws(MemoryFault) { try write(a, size: 2, value: UInt64(v)) }
    @inlinable @inline(__always) public func write32(_ a: UInt64, _ v: UInt32) throws(MemoryFault) { try write(a, size: 4, value: UInt64(v)) }
    @inlinable @inline(__always) public func write64(_ a: UInt64, _ v: UInt64) throws(MemoryFault) { try write(a, size: 8, value: v) }

    /// Copies up to `count` instruction bytes starting at `address` into `buffer`, stopping early at the first
    /// byte that cannot be fetched. Throws only when not even the first byte is executable. Decoders use this:
    /// an instruction that runs into a non-executable page then fails to decode, as it would on hardware.
    public func fetch(_ address: UInt64, into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(MemoryFault) -> Int {
        var fetched = 0
        while fetched < count {
            let a = address &+ UInt64(fetched)
            let p: UnsafeMutablePointer<UInt8>
            if let hit = tlbLookup(a, 4) {
                p = hit
            } else {
                do { p = try resolve(a, .execute) } catch {
                    if fetched == 0 { throw error }
                    return fetched
                }
            }
            let inPage = Int(Memory.pageSize - (a & Memory.pageMask))
            let n = min(inPage, count - fetched)
            (buffer + fetched).update(from: p, count: n)
            fetched += n
        }
        return fetched
    }

    /// Reads 4 aligned instruction bytes (arm64 fetch).
    @inlinable @inline(__always)
    public func fetch32(_ address: UInt64) throws(MemoryFault) -> UInt32 {
        if address & Memory.pageMask <= Memory.pageSize - 4, let p = tlbLookup(address, 4) {
            return UInt32(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
        }
        return UInt32(truncatingIfNeeded: try readSlow(address, size: 4, access: .execute))
    }

    @usableFromInline func readSlow(_ address: UInt64, size: Int, access: MemoryFault.Access) throws(MemoryFault) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<size {
            let p = try resolve(address &+ UInt64(i), access)
            value |= UInt64(p.pointee) << (8 * UInt64(i))
        }
        return value
    }

    @usableFromInline func writeSlow(_ address: UInt64, size: Int, value: UInt64) throws(MemoryFault) {
        // Check every byte before changing any, so a faulting write leaves memory as it was.
        var touchesText = false
        for i in 0..<size {
            let a = address &+ UInt64(i)
            _ = try resolve(a, .write)
            if permissions(at: a)?.contains(.execute) == true { touchesText = true }
        }
        for i in 0..<size {
            try resolve(address &+ UInt64(i), .write).pointee = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))
        }
        if touchesText { notifyTextChanged(at: address, length: size) }
    }

    // MARK: Privileged accesses (the simulated kernel itself)

    /// `text_poke()`: writes `bytes` at `address` whatever the page permissions, then tells every decode cache.
    /// Every byte must be mapped; nothing is written otherwise.
    public func pokeText(_ address: UInt64, bytes: [UInt8]) throws(MemoryFault) {
        try write(privileged: address, bytes: bytes, alwaysNotify: true)
    }

    /// Writes bytes on the kernel's behalf, ignoring write protection (loading, stack set-up). Every byte must be
    /// mapped; nothing is written otherwise. Executable bytes written this way also invalidate decode caches.
    public func kernelWrite(_ address: UInt64, bytes: [UInt8]) throws(MemoryFault) {
        try write(privileged: address, bytes: bytes, alwaysNotify: false)
    }

    private func write(privileged address: UInt64, bytes: [UInt8], alwaysNotify: Bool) throws(MemoryFault) {
        var touchesText = alwaysNotify
        for i in 0..<bytes.count {
            let a = address &+ UInt64(i)
            guard let index = pageTable[a >> Memory.pageShift] else {
                throw MemoryFault(address: a, access: .write, pagePresent: false)
            }
            if permissionsOf[index].contains(.execute) { touchesText = true }
        }
        for (i, byte) in bytes.enumerated() {
            let a = address &+ UInt64(i)
            pages[pageTable[a >> Memory.pageShift]!][Int(a & Memory.pageMask)] = byte
        }
        if touchesText { notifyTextChanged(at: address, length: bytes.count) }
    }

    /// Writes a little-endian word on the kernel's behalf (see `kernelWrite(_:bytes:)`).
    public func kernelWrite(_ address: UInt64, size: Int, value: UInt64) throws(MemoryFault) {
        try kernelWrite(address, bytes: (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) })
    }

    /// Reads bytes whatever the read permission (the kernel reading its own text, `copy_from_kernel_nofault`).
    /// Throws at the first unmapped byte.
    public func kernelRead(_ address: UInt64, count: Int) throws(MemoryFault) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let a = address &+ UInt64(i)
            guard let index = pageTable[a >> Memory.pageShift] else {
                throw MemoryFault(address: a, access: .read, pagePresent: false)
            }
            out[i] = pages[index][Int(a & Memory.pageMask)]
        }
        return out
    }

    /// Reads a little-endian word whatever the read permission (see `kernelRead(_:count:)`).
    public func kernelRead(_ address: UInt64, size: Int) throws(MemoryFault) -> UInt64 {
        let bytes = try kernelRead(address, count: size)
        var value: UInt64 = 0
        for (i, b) in bytes.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
        return value
    }

    /// Mapped regions, merged when adjacent with equal permissions, in address order (a `/proc/self/maps` view).
    public func regions() -> [(start: UInt64, end: UInt64, permissions: PagePermissions)] {
        var out: [(start: UInt64, end: UInt64, permissions: PagePermissions)] = []
        for index in pageNumbers.indices.sorted(by: { pageNumbers[$0] < pageNumbers[$1] })
        where pageTable[pageNumbers[index]] == index {
            let start = pageNumbers[index] << Memory.pageShift
            let perms = permissionsOf[index]
            if let last = out.last, last.end == start, last.permissions == perms {
                out[out.count - 1].end = start &+ Memory.pageSize
            } else {
                out.append((start, start &+ Memory.pageSize, perms))
            }
        }
        return out
    }
}

private struct WeakObserver {
    weak var object: TextPokeObserver?
}
