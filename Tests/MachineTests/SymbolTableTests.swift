import Testing
@testable import Machine

@Suite("Symbol table: kallsyms lookups and %pS formatting")
struct SymbolTableTests {
    /// Layout taken from the real 6.1 x86_64 capture: do_sys_openat2 at 0xffffffff81363fa0 with kallsyms size
    /// 0x170 (the trace line `(do_sys_openat2+0x0/0x170)`), followed by do_sys_open, the last function of a
    /// text region that ends at 0xffffffff813641a0 (so kallsyms gives it 0x90).
    func kernelLike() -> SymbolTable {
        let table = SymbolTable()
        table.addTextRegion(0xffff_ffff_8100_0000..<0xffff_ffff_8136_41a0)
        table.add(Symbol(name: "do_sys_openat2", address: 0xffff_ffff_8136_3fa0, size: 0x16b, type: "T"))
        table.add(Symbol(name: "do_sys_open", address: 0xffff_ffff_8136_4110, size: 0x90, type: "T"))
        table.add(Symbol(name: "jiffies", address: 0xffff_ffff_8200_0000, size: 8, type: "D"))
        return table
    }

    @Test("%pS prints name+0xoff/0xsize with the size running to the next symbol, as kallsyms computes it")
    func formatting() {
        let table = kernelLike()
        #expect(table.format(0xffff_ffff_8136_3fa0) == "do_sys_openat2+0x0/0x170")
        #expect(table.format(0xffff_ffff_8136_3fa1) == "do_sys_openat2+0x1/0x170")
        // Past st_size (0x16b) but before the next symbol: still do_sys_openat2, as kallsyms says.
        #expect(table.format(0xffff_ffff_8136_410c) == "do_sys_openat2+0x16c/0x170")
        #expect(table.format(0xffff_ffff_8136_4110) == "do_sys_open+0x0/0x90")
        #expect(table.formatName(0xffff_ffff_8136_4120) == "do_sys_open")
    }

    @Test("an offset past a function's end re-splits into the next symbol")
    func resplit() throws {
        let table = kernelLike()
        let base = try #require(table.lookup(name: "do_sys_openat2"))
        let hit = try #require(table.lookup(containing: base.address + 0x180))
        #expect(hit.symbol.name == "do_sys_open")
        #expect(hit.offset == 0x10)
    }

    @Test("addresses outside every symbol format as bare hex")
    func outside() {
        let table = kernelLike()
        #expect(table.format(0x1000) == "0x1000")
        #expect(table.lookup(containing: 0xffff_ffff_8200_0008) == nil)
    }

    @Test("module symbols carry their module name, and sizes stop at the module's own symbols and text end")
    func modules() {
        let table = kernelLike()
        table.addTextRegion(0xffff_ffff_c000_0000..<0xffff_ffff_c000_0020)
        table.add(Symbol(name: "corpus_fn", address: 0xffff_ffff_c000_0000, size: 0x20, type: "t", module: "corpus"))
        #expect(table.format(0xffff_ffff_c000_0004) == "corpus_fn+0x4/0x20 [corpus]")
        #expect(table.lookup(containing: 0xffff_ffff_c000_0020) == nil)
    }

    @Test("duplicate names are all kept; lookup by name gives the first")
    func duplicates() {
        let table = SymbolTable()
        table.add(Symbol(name: "helper", address: 0x1000, size: 0x10, type: "t"))
        table.add(Symbol(name: "helper", address: 0x2000, size: 0x10, type: "t"))
        #expect(table.lookup(name: "helper")?.address == 0x1000)
        #expect(table.lookupAll(name: "helper").map(\.address) == [0x1000, 0x2000])
    }

    @Test("kallsyms line format")
    func kallsymsLine() {
        #expect(Symbol(name: "do_sys_open", address: 0xffff_ffff_8136_4110, size: 0x90, type: "T").description
            == "ffffffff81364110 T do_sys_open")
    }
}
