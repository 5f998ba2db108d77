/// Loads ELF files into a machine.
///
/// Relocatable objects and kernel modules (`ET_REL`) are loaded the way the kernel's module loader does it
/// (kernel/module/main.c `load_module`: `layout_sections`, `simplify_symbols`, `apply_relocations`): sections
/// placed in the kernel image region by `ELFLayout`, undefined symbols resolved against the machine's symbol
/// table, relocations applied with overflow checks, each region mapped with its own permissions, and the
/// object's symbols added to kallsyms. Executables (`ET_EXEC`) are mapped at their linked addresses.
///
/// Nothing is mapped and no symbol is added unless the whole load succeeds; a relocation that fails after the
/// address range was reserved leaves that range unused.
public enum ELFLoader {
    /// Parses and loads `bytes` (see `load(_:into:module:)`).
    public static func load(bytes: [UInt8], name: String, into machine: Machine, module: String? = nil) throws(ELFError) -> LoadedObject {
        try load(ELFFile(bytes: bytes, name: name), into: machine, module: module)
    }

    /// Loads a parsed file; its symbols carry `module` (kallsyms' `[module]`).
    public static func load(_ file: ELFFile, into machine: Machine, module: String? = nil) throws(ELFError) -> LoadedObject {
        guard file.architecture == machine.architecture else {
            throw ELFError(.wrongArchitecture, file: file.name, structure: "ELF header",
                           problem: "has machine \(ELFHeader.machineName(file.architecture.elfMachine)) (\(file.architecture)), but the machine is \(machine.architecture)")
        }
        let object: LoadedObject
        switch file.header.type {
        case .relocatable: object = try loadRelocatable(file, into: machine, module: module)
        case .executable: object = try loadExecutable(file, into: machine, module: module)
        }
        machine.moduleLoaded(object)
        return object
    }

    // MARK: ET_REL

    private static func loadRelocatable(_ file: ELFFile, into machine: Machine, module: String?) throws(ELFError) -> LoadedObject {
        let layout = try ELFLayout(file)
        // A kernel module carries `struct module` in this section; its kernel imports get stand-ins.
        let isKernelModule = file.sections.contains { $0.name == ".gnu.linkonce.this_module" }
        if isKernelModule {
            KernelImports.provide(file.symbols.filter { $0.isUndefined && $0.index != 0 }.map(\.name),
                                  architecture: file.architecture, machine: machine)
        }
        let undefined = try resolveUndefined(file, machine)
        let base = machine.reserveImage(size: layout.size)

        // Symbol values (`S`) by index; nil for symbols in sections that are not loaded.
        var values: [UInt64?] = []
        values.reserveCapacity(file.symbols.count)
        for symbol in file.symbols {
            if symbol.isUndefined {
                values.append(undefined[symbol.index])
            } else if symbol.sectionIndex == ELFSymbol.SHN_ABS {
                values.append(symbol.value)
            } else if symbol.isCommon {
                values.append(layout.commonOffsets[symbol.index].map { base + $0 })
            } else {
                values.append(layout.placements[Int(symbol.sectionIndex)].map { base + $0.offset &+ symbol.value })
            }
        }

        var images = layout.regions.map { [UInt8](repeating: 0, count: Int($0.contentSize)) }
        for section in file.sections where section.isAllocated && !section.isNoBits {
            guard let placement = layout.placements[section.index] else { continue }
            let at = Int(placement.offset - layout.regions[placement.region].start)
            // Same-length replacement: contents are `sh_size` bytes, or none for an (odd) allocated SHT_NULL.
            let contents = file.contents(of: section)
            images[placement.region].replaceSubrange(at..<at + contents.count, with: contents)
        }

        var ftraceSites: [UInt64] = [], returnSites: [UInt64] = []
        for relocationSection in file.relocationSections {
            let target = file.sections[relocationSection.target]
            // Relocations of sections that are not loaded (.debug*, .comment...) have nothing to patch.
            guard let placement = layout.placements[target.index] else { continue }
            let records = target.name == "__mcount_loc" || target.name == "__patchable_function_entries"
            for relocation in relocationSection.relocations {
                let type = ELFRelocationType(relocation.type, architecture: file.architecture)
                let symbol = file.symbols[relocation.symbolIndex]
                func fail(_ kind: ELFError.Kind, _ problem: String) -> ELFError {
                    ELFError(kind, file: file.name,
                             structure: "relocation \(relocation.index) of \(file.sections[relocationSection.section].label) at \(target.name)+\(ELFError.hex(relocation.offset))",
                             problem: problem)
                }
                guard let value = values[relocation.symbolIndex] else {
                    throw fail(.outOfRange, "\(type) refers to \(symbol.label), which is in a section that is not loaded")
                }
                do {
                    try relocate(relocation, type, value: value, at: placement, in: target, base: base,
                                 layout: layout, images: &images)
                } catch {
                    switch error {
                    case .unsupported:
                        throw fail(.unsupported, "has type \(type), which the loader does not support")
                    case .pastEnd(let width):
                        throw fail(.outOfRange, "\(type) patches \(width) bytes, past the end of \(target.label) (size \(ELFError.hex(target.size)))")
                    case .overflow(let overflowed, let field):
                        throw fail(.relocationOverflow, "\(type) against \(symbol.name.isEmpty ? symbol.label : symbol.name): value \(ELFError.hex(overflowed)) does not fit \(field)")
                    }
                }
                if records { ftraceSites.append(value &+ UInt64(bitPattern: relocation.addend)) }
                if target.name == ".return_sites" { returnSites.append(value &+ UInt64(bitPattern: relocation.addend)) }
            }
        }
        if isKernelModule && file.architecture == .x86_64 {
            KernelModulePatches.applyX86_64(ftraceSites: ftraceSites, returnSites: returnSites,
                                      fentry: machine.symbols.lookup(name: "__fentry__")?.address,
                                      returnThunk: machine.symbols.lookup(name: "__x86_return_thunk")?.address,
                                      base: base, layout: layout, images: &images)
        } else if isKernelModule {
            KernelModulePatches.applyARM64(ftraceSites: ftraceSites, base: base, layout: layout, images: &images)
        }

        do {
            for (index, region) in layout.regions.enumerated() where region.size > 0 {
                machine.memory.map(base + region.start, size: region.size, permissions: region.permissions)
                try machine.memory.kernelWrite(base + region.start, bytes: images[index])
                // kallsyms bounds the last function's size by the end of the module's text.
                if region.permissions.contains(.execute) {
                    machine.symbols.addTextRegion((base + region.start)..<(base + region.start + region.size))
                }
            }
        } catch {
            throw ELFError(.placement, file: file.name, structure: "image", problem: "could not be written: \(error)")
        }

        var loaded: [LoadedSection] = []
        for section in file.sections {
            guard let placement = layout.placements[section.index] else { continue }
            loaded.append(LoadedSection(name: section.name, address: base + placement.offset, size: section.size,
                                        permissions: layout.regions[placement.region].permissions))
        }
        if !layout.pltKeys.isEmpty {
            loaded.append(LoadedSection(name: ".plt", address: base + layout.pltOffset,
                                        size: UInt64(layout.pltKeys.count) * ModulePLT.entrySize, permissions: .text))
        }
        let symbols = addSymbols(file, machine, module: module) { symbol in
            guard let value = values[symbol.index] else { return nil }
            if symbol.isCommon { return value }
            return layout.placements[Int(symbol.sectionIndex)] == nil ? nil : value
        }
        machine.ftraceLocations.formUnion(ftraceSites.map(file.architecture.ftraceCallSite))
        return LoadedObject(name: file.name, module: module, architecture: file.architecture, fileType: .relocatable,
                            sections: loaded, symbols: symbols, ftraceSites: ftraceSites, entry: nil)
    }

    /// Applies one relocation to the region images. An arm64 branch out of range goes through its
    /// destination's PLT veneer, as `apply_relocate_add` retries with `module_emit_plt_entry`.
    private static func relocate(_ relocation: ELFRelocation, _ type: ELFRelocationType, value: UInt64,
                                 at placement: ELFLayout.Placement, in target: ELFSection, base: UInt64,
                                 layout: ELFLayout, images: inout [[UInt8]]) throws(ELFRelocator.Failure) {
        let place = base + placement.offset + relocation.offset
        let sectionStart = Int(placement.offset - layout.regions[placement.region].start)
        let at = sectionStart + Int(relocation.offset), limit = sectionStart + Int(target.size)
        do {
            try ELFRelocator.apply(type, symbol: value, addend: relocation.addend, place: place,
                                   image: &images[placement.region], at: at, limit: limit)
        } catch let failure where ModulePLT.isBranch(type) {
            let key = ModulePLT.Key(symbolIndex: relocation.symbolIndex, addend: relocation.addend)
            guard case .overflow = failure, let slot = layout.pltKeys.firstIndex(of: key) else { throw failure }
            let offset = layout.pltOffset + UInt64(slot) * ModulePLT.entrySize
            let veneer = ModulePLT.entry(for: value &+ UInt64(bitPattern: relocation.addend))
            let slotAt = Int(offset - layout.regions[0].start)
            images[0].replaceSubrange(slotAt..<slotAt + veneer.count, with: veneer)
            try ELFRelocator.apply(type, symbol: base + offset, addend: 0, place: place,
                                   image: &images[placement.region], at: at, limit: limit)
        }
    }

    /// `simplify_symbols`: each undefined symbol's value from the machine's symbol table; weak ones not found
    /// are 0. By symbol index (nil for defined symbols).
    private static func resolveUndefined(_ file: ELFFile, _ machine: Machine) throws(ELFError) -> [UInt64?] {
        var values: [UInt64?] = Array(repeating: nil, count: file.symbols.count)
        for symbol in file.symbols where symbol.isUndefined {
            guard symbol.index != 0 else { values[0] = 0; continue }
            if let found = machine.symbols.lookup(name: symbol.name) {
                values[symbol.index] = found.address
            } else if symbol.isWeak {
                values[symbol.index] = 0
            } else {
                throw ELFError(.unresolvedSymbol, file: file.name, structure: symbol.label,
                               problem: "is undefined and not in the machine's symbol table (register a host function or load the object that defines it first)")
            }
        }
        return values
    }

    // MARK: ET_EXEC

    private static func loadExecutable(_ file: ELFFile, into machine: Machine, module: String?) throws(ELFError) -> LoadedObject {
        let segments = file.programHeaders.filter { $0.isLoad && $0.memorySize > 0 }
        var total: UInt64 = 0
        for segment in segments {
            total += min(segment.memorySize, ELFLayout.maximumImageSize + 1)
            guard total <= ELFLayout.maximumImageSize else {
                throw ELFError(.placement, file: file.name, structure: segment.label,
                               problem: "makes the image larger than the loader's limit of \(ELFError.hex(ELFLayout.maximumImageSize)) bytes")
            }
        }
        // An executable says where it goes; refuse to overwrite anything the machine already has there.
        for segment in segments {
            let first = segment.virtualAddress >> Memory.pageShift
            let last = (segment.virtualAddress + segment.memorySize - 1) >> Memory.pageShift
            for page in first...last where machine.memory.isMapped(page << Memory.pageShift) {
                throw ELFError(.placement, file: file.name, structure: segment.label,
                               problem: "overlaps memory already mapped at \(ELFError.hex(page << Memory.pageShift))")
            }
        }
        do {
            for segment in segments {
                machine.memory.map(segment.virtualAddress, size: segment.memorySize, permissions: segment.permissions)
                try machine.memory.kernelWrite(segment.virtualAddress, bytes: Array(file.contents(of: segment)))
            }
        } catch {
            throw ELFError(.placement, file: file.name, structure: "image", problem: "could not be written: \(error)")
        }
        // Keep later module loads out of an image linked into the kernel image region.
        if let start = segments.map(\.virtualAddress).min(), start >= machine.architecture.kernelTextBase,
           let end = segments.map({ $0.virtualAddress + $0.memorySize }).max(), end > machine.textNext {
            _ = machine.reserveImage(size: end - machine.textNext)
        }
        let loaded = file.sections.filter(\.isAllocated).map {
            LoadedSection(name: $0.name, address: $0.address, size: $0.size, permissions: $0.permissions)
        }
        let symbols = addSymbols(file, machine, module: module) { symbol in
            symbol.sectionIndex < ELFSymbol.SHN_LORESERVE && !symbol.isUndefined
                && file.sections[Int(symbol.sectionIndex)].isAllocated ? symbol.value : nil
        }
        return LoadedObject(name: file.name, module: module, architecture: file.architecture, fileType: .executable,
                            sections: loaded, symbols: symbols, ftraceSites: [], entry: file.header.entry)
    }

    // MARK: Symbols

    /// Adds the file's kallsyms-visible symbols that `address` places (nil: not loaded) to the machine.
    private static func addSymbols(_ file: ELFFile, _ machine: Machine, module: String?,
                                   address: (ELFSymbol) -> UInt64?) -> [Symbol] {
        var added: [Symbol] = []
        for symbol in file.symbols where symbol.isKallsymsCandidate && !symbol.isUndefined
            && symbol.sectionIndex != ELFSymbol.SHN_ABS {
            guard let value = address(symbol) else { continue }
            let section = symbol.isCommon ? nil : file.sections[Int(symbol.sectionIndex)]
            let entry = Symbol(name: symbol.name, address: value, size: symbol.size,
                               type: symbol.kallsymsType(in: section), module: module)
            machine.symbols.add(entry)
            added.append(entry)
        }
        return added
    }
}
