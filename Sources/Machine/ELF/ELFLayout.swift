/// Where a relocatable object's allocated sections go, as offsets from the image base. Deterministic, so a
/// linker script can reproduce it (scripts/make-elf-fixtures.sh does, for the tests' GNU ld oracle):
///
/// - allocated sections only, without `.modinfo` and `__versions` (see `isLoaded`);
/// - three regions, each starting on a page boundary after the previous one: text (`SHF_EXECINSTR`, `r-x`),
///   read-only data (other allocated, non-writable sections, `r--`), writable data (`SHF_WRITE`, `rw-`);
/// - within a region, sections with contents in section-header order, then `SHT_NOBITS` sections in order,
///   each at the next multiple of its `sh_addralign`; `.init*` sections (the kernel's init layout) after
///   all others, in the same two passes;
/// - `SHN_COMMON` symbols last in the writable region, in symbol-table order, aligned to their `st_value`
///   (which is their alignment), as ld's `*(COMMON)` after `*(.bss)` places them.
///
/// - arm64 module PLT veneers (`ModulePLT`), one per distinct far branch destination, after the text
///   region's sections with contents (the kernel's `.plt` section).
///
/// This mirrors the kernel's `layout_sections` (kernel/module/main.c), which also groups module sections
/// text / rodata / data so each group can get its own page permissions.
struct ELFLayout {
    struct Region {
        let permissions: PagePermissions
        /// Offset of the region from the image base (page aligned).
        var start: UInt64 = 0
        var size: UInt64 = 0
        /// Bytes from the region start up to the end of its last section with file contents.
        var contentSize: UInt64 = 0
    }

    /// A section's place: its region and its offset from the image base.
    struct Placement {
        let region: Int
        let offset: UInt64
    }

    /// Larger images are refused: no kernel module comes near it, and a corrupt `.bss` size must not make the
    /// simulator allocate gigabytes.
    static let maximumImageSize: UInt64 = 64 << 20

    private(set) var regions = [Region(permissions: .text), Region(permissions: .rodata), Region(permissions: .data)]
    /// By section index; nil for sections that are not loaded.
    private(set) var placements: [Placement?]
    /// By symbol index: offsets of `SHN_COMMON` symbols.
    private(set) var commonOffsets: [UInt64?]
    /// Bytes to reserve (page aligned).
    private(set) var size: UInt64 = 0
    /// The veneer destinations, in first-use order, and the offset of the first veneer from the image base.
    private(set) var pltKeys: [ModulePLT.Key] = []
    private(set) var pltOffset: UInt64 = 0

    init(_ file: ELFFile) throws(ELFError) {
        placements = Array(repeating: nil, count: file.sections.count)
        commonOffsets = Array(repeating: nil, count: file.symbols.count)
        var relative: [UInt64?] = Array(repeating: nil, count: file.sections.count)

        func region(of section: ELFSection) -> Int {
            section.isExecutable ? 0 : section.isWritable ? 2 : 1
        }
        func tooLarge(_ structure: String) -> ELFError {
            ELFError(.placement, file: file.name, structure: structure,
                     problem: "makes the image larger than the loader's limit of \(ELFError.hex(ELFLayout.maximumImageSize)) bytes")
        }
        /// Places `size` bytes aligned to `alignment` at the end of region `index`; returns the region offset.
        func append(_ size: UInt64, alignment: UInt64, to index: Int, structure: String) throws(ELFError) -> UInt64 {
            guard alignment <= Memory.pageSize else {
                throw ELFError(.placement, file: file.name, structure: structure,
                               problem: "needs alignment \(ELFError.hex(alignment)), more than the page size \(ELFError.hex(Memory.pageSize))")
            }
            let step = max(alignment, 1)
            let offset = (regions[index].size + step - 1) & ~(step - 1)
            guard size <= ELFLayout.maximumImageSize, offset + size <= ELFLayout.maximumImageSize else {
                throw tooLarge(structure)
            }
            regions[index].size = offset + size
            return offset
        }

        // kernel/module/strict_rwx.c module_enforce_rwx_sections: W+X sections make the module -ENOEXEC.
        if let both = file.sections.first(where: { $0.isWritable && $0.isExecutable }) {
            throw ELFError(.unsupported, file: file.name, structure: both.label,
                           problem: "has invalid WRITE|EXEC flags (the kernel refuses W+X module sections)")
        }
        // kernel: kernel/module/main.c layout_sections, module_init_layout_section: `.init*` sections go to a
        // separate init allocation; here they follow all the core ones, so each core section sits where the
        // kernel's does relative to its region (same page offsets, which arm64 `adrp` results show).
        for initPass in [false, true] {
            for noBits in [false, true] {
                for section in file.sections where ELFLayout.isLoaded(section) && section.isNoBits == noBits
                    && section.name.hasPrefix(".init") == initPass {
                    let index = region(of: section)
                    relative[section.index] = try append(section.size, alignment: section.alignment, to: index, structure: section.label)
                    if !noBits { regions[index].contentSize = regions[index].size }
                }
                if !initPass && !noBits {
                    pltKeys = ELFLayout.pltKeys(file)
                    pltOffset = try append(UInt64(pltKeys.count) * ModulePLT.entrySize, alignment: ModulePLT.alignment,
                                           to: 0, structure: "the module PLT")
                    regions[0].contentSize = regions[0].size
                }
            }
        }
        var commonRelative: [UInt64?] = Array(repeating: nil, count: file.symbols.count)
        for symbol in file.symbols where symbol.isCommon {
            guard symbol.value == 0 || symbol.value & (symbol.value - 1) == 0 else {
                throw ELFError(.badHeader, file: file.name, structure: symbol.label,
                               problem: "is a common symbol with alignment \(ELFError.hex(symbol.value)), not a power of two")
            }
            commonRelative[symbol.index] = try append(symbol.size, alignment: symbol.value, to: 2, structure: symbol.label)
        }

        var cursor: UInt64 = 0
        for index in regions.indices {
            regions[index].start = cursor
            cursor = (cursor + regions[index].size + Memory.pageSize - 1) & ~(Memory.pageSize - 1)
        }
        guard cursor <= ELFLayout.maximumImageSize else { throw tooLarge("the image") }
        size = cursor
        for section in file.sections {
            if let offset = relative[section.index] {
                let index = region(of: section)
                placements[section.index] = Placement(region: index, offset: regions[index].start + offset)
            }
        }
        for (index, offset) in commonRelative.enumerated() {
            commonOffsets[index] = offset.map { regions[2].start + $0 }
        }
        pltOffset += regions[0].start
    }

    /// Whether the module loader keeps `section`: allocated ones, except `.modinfo` and `__versions`, which the
    /// kernel reads at load time but does not keep (`rewrite_section_headers` clears their `SHF_ALLOC`).
    static func isLoaded(_ section: ELFSection) -> Bool {
        section.isAllocated && section.name != ".modinfo" && section.name != "__versions"
    }

    /// The distinct destinations of branches in allocated sections that may need a veneer.
    private static func pltKeys(_ file: ELFFile) -> [ModulePLT.Key] {
        var keys: [ModulePLT.Key] = []
        var seen = Set<ModulePLT.Key>()
        for relocationSection in file.relocationSections where isLoaded(file.sections[relocationSection.target]) {
            for relocation in relocationSection.relocations
            where ModulePLT.isBranch(ELFRelocationType(relocation.type, architecture: file.architecture))
                && ModulePLT.needsSlot(file.symbols[relocation.symbolIndex]) {
                let key = ModulePLT.Key(symbolIndex: relocation.symbolIndex, addend: relocation.addend)
                if seen.insert(key).inserted { keys.append(key) }
            }
        }
        return keys
    }
}
