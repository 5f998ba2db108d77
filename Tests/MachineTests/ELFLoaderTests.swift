import Foundation
import Testing
@testable import Machine

/// Loading relocatable objects and executables, checked against GNU ld and nm: ld linked the same object at the
/// addresses the loader picks (scripts/make-elf-fixtures.sh), so its output bytes are the expected relocated
/// bytes, and nm of its output gives the expected symbols.
@Suite("ELF loader against GNU ld")
struct ELFLoaderTests {
    @Test("relocated sections equal ld's output byte for byte", arguments: Architecture.allCases)
    func relocatedBytesMatchLd(architecture: Architecture) throws {
        let machine = ELFFixtures.relocsMachine(architecture)
        let object = try ELFLoader.load(bytes: ELFFixtures.bytes("\(architecture)/relocs.o"), name: "relocs.o", into: machine)
        let layout = try ELFFixtures.layout(architecture)
        #expect(layout.map(\.name) == [".text", ".rodata", ".data", ".bss"])
        // The loader's own placement agrees with where ld put each output section's first input section.
        for output in layout {
            let placed = try #require(object.section(named: output.name))
            #expect(placed.address == output.address, "\(output.name)")
        }
        for output in layout {
            let actual = try machine.memory.kernelRead(output.address, count: output.size)
            let expected = output.hasContents
                ? try ELFFixtures.bytes("\(architecture)/relocs\(output.name).bin")
                : [UInt8](repeating: 0, count: output.size)
            #expect(expected.count == output.size)
            #expect(actual == expected, "\(output.name) differs from ld's")
        }
    }

    @Test("symbols, types and sizes equal nm's listing of ld's output", arguments: Architecture.allCases)
    func symbolsMatchNm(architecture: Architecture) throws {
        let machine = ELFFixtures.relocsMachine(architecture)
        let object = try ELFLoader.load(bytes: ELFFixtures.bytes("\(architecture)/relocs.o"), name: "relocs.o", into: machine,
                                        module: "relocs")
        let expected = Set(try ELFFixtures.nm(architecture))
        let actual = Set(object.symbols.map {
            ELFFixtures.NMSymbol(name: $0.name, address: $0.address, size: $0.size == 0 ? nil : $0.size, type: $0.type)
        })
        #expect(actual == expected)
        #expect(!object.symbols.contains { $0.name.hasPrefix("$") }, "mapping symbols are not kallsyms symbols")
        for symbol in object.symbols {
            #expect(symbol.module == "relocs")
            #expect(machine.symbols.lookupAll(name: symbol.name).contains(symbol))
        }
    }

    @Test("ftrace sites are the function entries recorded in __mcount_loc / __patchable_function_entries",
          arguments: Architecture.allCases)
    func ftraceSites(architecture: Architecture) throws {
        let machine = ELFFixtures.relocsMachine(architecture)
        let object = try ELFLoader.load(bytes: ELFFixtures.bytes("\(architecture)/relocs.o"), name: "relocs.o", into: machine)
        // The sources put the recorded labels at the first instruction of these two functions.
        let functions = architecture == .x86_64 ? ["x86_entry", "x86_helper"] : ["a64_entry", "a64_helper"]
        let nm = try ELFFixtures.nm(architecture)
        let expected = try functions.map { name in try #require(nm.first { $0.name == name }).address }
        #expect(object.ftraceSites == expected)
    }

    @Test("an executable maps its PT_LOAD segments at the linked addresses", arguments: Architecture.allCases)
    func executableLoads(architecture: Architecture) throws {
        let machine = ELFFixtures.machine(architecture)
        let object = try ELFLoader.load(bytes: ELFFixtures.bytes("\(architecture)/relocs.linked"), name: "relocs.linked",
                                        into: machine)
        let nm = try ELFFixtures.nm(architecture)
        let entryName = architecture == .x86_64 ? "x86_entry" : "a64_entry"
        #expect(object.fileType == .executable)
        #expect(object.entry == nm.first { $0.name == entryName }?.address)
        for output in try ELFFixtures.layout(architecture) {
            let expected = output.hasContents
                ? try ELFFixtures.bytes("\(architecture)/relocs\(output.name).bin")
                : [UInt8](repeating: 0, count: output.size)
            #expect(try machine.memory.kernelRead(output.address, count: output.size) == expected)
        }
        // readelf -l: R E text, R rodata, RW data+bss.
        let layout = try ELFFixtures.layout(architecture)
        #expect(machine.memory.permissions(at: layout[0].address) == .text)
        #expect(machine.memory.permissions(at: layout[1].address) == .rodata)
        #expect(machine.memory.permissions(at: layout[3].address) == .data)
        let actual = Set(object.symbols.map {
            ELFFixtures.NMSymbol(name: $0.name, address: $0.address, size: $0.size == 0 ? nil : $0.size, type: $0.type)
        })
        #expect(actual == Set(nm))
    }

    @Test("an executable may not overwrite memory the machine already mapped")
    func executableOverlap() throws {
        let machine = ELFFixtures.machine(.x86_64)
        _ = machine.allocateText(size: 0x100)   // takes the page at kernelTextBase, where the image is linked
        let bytes = try ELFFixtures.bytes("x86_64/relocs.linked")
        let error = try #require(throws: ELFError.self) {
            try ELFLoader.load(bytes: bytes, name: "relocs.linked", into: machine)
        }
        #expect(error.kind == .placement)
        #expect(error.description == "relocs.linked: program header 0 (PT_LOAD) overlaps memory already mapped at 0xffffffff81000000")
    }

    @Test("loaded regions get kernel page permissions; only the privileged paths write text")
    func permissions() throws {
        let machine = ELFFixtures.relocsMachine(.x86_64)
        let object = try ELFLoader.load(bytes: ELFFixtures.bytes("x86_64/relocs.o"), name: "relocs.o", into: machine)
        let text = try #require(object.section(named: ".text"))
        let rodata = try #require(object.section(named: ".rodata"))
        let data = try #require(object.section(named: ".data"))
        let bss = try #require(object.section(named: ".bss"))
        #expect(text.permissions == .text && machine.memory.permissions(at: text.address) == .text)
        #expect(rodata.permissions == .rodata && machine.memory.permissions(at: rodata.address) == .rodata)
        #expect(data.permissions == .data && machine.memory.permissions(at: data.address) == .data)
        #expect(machine.memory.permissions(at: bss.address) == .data)
        #expect(object.section(named: "__mcount_loc")?.permissions == .rodata)

        #expect(throws: MemoryFault(address: text.address, access: .write, pagePresent: true)) {
            try machine.memory.write8(text.address, 0xcc)
        }
        #expect(throws: MemoryFault(address: rodata.address, access: .write, pagePresent: true)) {
            try machine.memory.write64(rodata.address, 0)
        }
        try machine.memory.write64(data.address, 7)
        #expect(try machine.memory.read64(data.address) == 7)
        try machine.memory.pokeText(text.address, bytes: [0xcc])
        #expect(try machine.memory.read8(text.address) == 0xcc)
        try machine.memory.kernelWrite(text.address + 1, bytes: [0x90])
        #expect(try machine.memory.kernelRead(text.address, count: 2) == [0xcc, 0x90])
    }

    @Test("symbols carry the module name and a second load goes after the first")
    func moduleAndSecondLoad() throws {
        let machine = ELFFixtures.relocsMachine(.x86_64)
        let bytes = try ELFFixtures.bytes("x86_64/relocs.o")
        let first = try ELFLoader.load(bytes: bytes, name: "relocs.o", into: machine, module: "first")
        let second = try ELFLoader.load(bytes: bytes, name: "relocs.o", into: machine, module: "second")
        // relocs.layout: text, rodata and data+bss each fit one page, so the first image takes three pages.
        #expect(second.section(named: ".text")?.address == (first.section(named: ".text")?.address ?? 0) + 3 * 0x1000)
        let entries = machine.symbols.lookupAll(name: "x86_entry")
        #expect(entries.map(\.module) == ["first", "second"])
        let helper = try #require(second.symbol(named: "x86_helper"))
        // kallsyms sizes run to the next symbol of the module: x86_weak_hook at +0x45 (nm) - x86_helper at +0x31.
        #expect(machine.symbols.format(helper.address + 1) == "x86_helper+0x1/0x14 [second]")
    }

    @Test("sections that are not allocated are neither loaded nor relocated")
    func unallocatedSkipped() throws {
        var bytes = try ELFFixtures.bytes("x86_64/relocs.o")
        // readelf -r: .rela.debug_info at 0x528, entry 0 R_X86_64_64; retype it to one the loader rejects.
        bytes[0x528 + 8] = 9
        let object = try ELFLoader.load(bytes: bytes, name: "relocs.o", into: ELFFixtures.relocsMachine(.x86_64))
        // readelf -S: the SHF_ALLOC sections, in section-header order.
        #expect(object.sections.map(\.name) == [".text", ".data", ".bss", ".text.unlikely", ".rodata", "__mcount_loc", ".data.rel"])
    }

    @Test(".modinfo is allocated but, as in the kernel, not kept; nor is its symbol")
    func modinfoSkipped() throws {
        let object = try ELFLoader.load(bytes: ELFFixtures.bytes("arm64/relocs.o"), name: "relocs.o",
                                        into: ELFFixtures.relocsMachine(.arm64))
        let file = try ELFFile(bytes: ELFFixtures.bytes("arm64/relocs.o"), name: "relocs.o")
        #expect(file.section(named: ".modinfo")?.isAllocated == true)
        #expect(object.section(named: ".modinfo") == nil)
        #expect(object.symbol(named: "__UNIQUE_ID_license") == nil)
    }

    @Test("a module loaded after an executable in the image region goes after it")
    func moduleAfterExecutable() throws {
        let machine = ELFFixtures.relocsMachine(.x86_64)
        _ = try ELFLoader.load(bytes: ELFFixtures.bytes("x86_64/relocs.linked"), name: "relocs.linked", into: machine)
        let module = try ELFLoader.load(bytes: ELFFixtures.bytes("x86_64/relocs.o"), name: "relocs.o", into: machine, module: "m")
        // relocs.layout: the linked image's .bss ends at 0xffffffff81002020 + 0x80; the next page follows.
        #expect(module.section(named: ".text")?.address == 0xffff_ffff_8100_3000)
    }

    @Test("an object for the other architecture is refused", arguments: Architecture.allCases)
    func wrongArchitecture(architecture: Architecture) throws {
        let other: Architecture = architecture == .x86_64 ? .arm64 : .x86_64
        let machine = ELFFixtures.relocsMachine(architecture)
        let error = try #require(throws: ELFError.self) {
            try ELFLoader.load(bytes: ELFFixtures.bytes("\(other)/relocs.o"), name: "relocs.o", into: machine)
        }
        #expect(error.kind == .wrongArchitecture)
        #expect(error.description.contains(other == .arm64 ? "EM_AARCH64 (183)" : "EM_X86_64 (62)"))
        #expect(!machine.memory.isMapped(architecture.kernelTextBase))
    }

    @Test("an unresolved undefined symbol is named, and nothing is mapped or added")
    func unresolvedSymbol() throws {
        let machine = ELFFixtures.machine(.x86_64)   // no printk, no small_value
        let before = machine.symbols.count
        let error = try #require(throws: ELFError.self) {
            try ELFLoader.load(bytes: ELFFixtures.bytes("x86_64/relocs.o"), name: "relocs.o", into: machine)
        }
        #expect(error.kind == .unresolvedSymbol)
        #expect(error.description.hasPrefix("relocs.o: symbol "))
        #expect(error.description.contains("(printk) is undefined"))
        #expect(!machine.memory.isMapped(Architecture.x86_64.kernelTextBase))
        #expect(machine.symbols.count == before)
    }
}
