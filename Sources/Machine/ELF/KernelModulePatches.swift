/// The text patching the kernel does to a module between relocating it and running it, so the simulated
/// module's bytes are the ones the guest shows in `/proc/kcore` (`Tests/Fixtures/realkernel/*/boundaries.txt`
/// record them).
enum KernelModulePatches {
    static let nop5: [UInt8] = [0x0f, 0x1f, 0x44, 0x00, 0x00]
    /// `mov x9, x30` (`orr x9, xzr, x30`), little-endian.
    static let movX9LR: [UInt8] = [0xe9, 0x03, 0x1e, 0xaa]

    /// arm64: the first of each function's two patchable-entry NOPs becomes `mov x9, x30`, which the ftrace
    /// call in the second slot needs to keep the return address.
    /// kernel: kernel/trace/ftrace.c ftrace_module_init -> ftrace_nop_initialize -> arch/arm64/kernel/ftrace.c ftrace_init_nop
    static func applyARM64(ftraceSites: [UInt64], base: UInt64, layout: ELFLayout, images: inout [[UInt8]]) {
        for site in ftraceSites {
            for (index, region) in layout.regions.enumerated()
            where site >= base + region.start && site + 4 <= base + region.start + region.contentSize {
                let at = Int(site - base - region.start)
                guard images[index][at..<at + 4] == [0x1f, 0x20, 0x03, 0xd5] else { break }   // nop
                images[index].replaceSubrange(at..<at + 4, with: movX9LR)
            }
        }
    }

    /// x86_64: patches `images` (the layout's regions, loaded at `base`):
    /// - each `__mcount_loc` site holding `call __fentry__` becomes the 5-byte NOP.
    ///   kernel: kernel/trace/ftrace.c ftrace_module_init -> ftrace_init_nop -> arch/x86/kernel/ftrace.c ftrace_make_nop
    /// - each `.return_sites` site holding `jmp __x86_return_thunk` becomes `ret` and `int3` padding (the guest
    ///   CPU does not need the return thunk). kernel: arch/x86/kernel/alternative.c apply_returns, patch_return
    static func applyX86_64(ftraceSites: [UInt64], returnSites: [UInt64], fentry: UInt64?, returnThunk: UInt64?,
                      base: UInt64, layout: ELFLayout, images: inout [[UInt8]]) {
        func locate(_ address: UInt64) -> (region: Int, at: Int)? {
            for (index, region) in layout.regions.enumerated()
            where address >= base + region.start && address + 5 <= base + region.start + region.contentSize {
                return (index, Int(address - base - region.start))
            }
            return nil
        }
        /// The destination of the `e8`/`e9` rel32 instruction at `address`, if it is one.
        func rel32Target(_ opcode: UInt8, at address: UInt64, _ place: (region: Int, at: Int)) -> UInt64? {
            let bytes = images[place.region][place.at..<place.at + 5]
            guard bytes.first == opcode else { return nil }
            let displacement = bytes.dropFirst().enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            return address &+ 5 &+ UInt64(bitPattern: Int64(Int32(bitPattern: displacement)))
        }
        for site in ftraceSites {
            guard let fentry, let place = locate(site), rel32Target(0xe8, at: site, place) == fentry else { continue }
            images[place.region].replaceSubrange(place.at..<place.at + 5, with: nop5)
        }
        for site in returnSites {
            guard let returnThunk, let place = locate(site), rel32Target(0xe9, at: site, place) == returnThunk else { continue }
            images[place.region].replaceSubrange(place.at..<place.at + 5, with: [0xc3, 0xcc, 0xcc, 0xcc, 0xcc])
        }
    }
}
