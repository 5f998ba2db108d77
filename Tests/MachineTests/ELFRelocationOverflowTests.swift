import Testing
@testable import Machine

/// Relocated values that do not fit their fields, and relocation types the loader does not apply. The
/// `overflow.o` objects (src/*-overflow.s) hold one checked relocation per external symbol; each test places
/// every symbol in range except one, and the loader must name exactly that relocation. Ranges come from the
/// x86_64 psABI and AAELF64.
@Suite("ELF relocation overflow and unsupported types")
struct ELFRelocationOverflowTests {
    static let x86Text = Architecture.x86_64.kernelTextBase
    static let armText = Architecture.arm64.kernelTextBase

    /// In-range values; `.text` is at kernelTextBase (a fresh machine), `.rodata` a page later.
    static let x86InRange: [String: UInt64] = [
        "far_32s": 0xffff_ffff_8000_0000,        // sign-extends from 0x80000000
        "far_pc32": x86Text + 0x10_0000,         // 1 MiB ahead
        "far_32": 0x7fff_0000,
        "far_plt32": 0xffff_ffff_8000_0000,      // 16 MiB behind
    ]
    static let x86OutOfRange: [(symbol: String, value: UInt64, type: String)] = [
        ("far_32s", 0x8000_0000, "R_X86_64_32S (11)"),                 // would sign-extend to 0xffffffff80000000
        ("far_pc32", x86Text - 0x8000_0000, "R_X86_64_PC32 (2)"),     // 2 GiB behind, minus the field offset
        ("far_32", 0x1_0000_0000, "R_X86_64_32 (10)"),
        ("far_plt32", 0x0000_7f00_0000_0000, "R_X86_64_PLT32 (4)"),
    ]
    static let armInRange: [String: UInt64] = [
        "far_call26": armText + 0x10_0000, "far_jump26": armText + 0x10_0000,
        "far_condbr19": armText + 0x1000, "far_tstbr14": armText + 0x1000,
        "far_page": armText + 0x1000_0000, "far_g0": 0x1234,
        "far_abs32": 0x1234_5678, "far_prel32": armText + 0x2000,
    ]
    static let armOutOfRange: [(symbol: String, value: UInt64, type: String)] = [
        ("far_condbr19", armText + 0x10_0008, "R_AARCH64_CONDBR19 (280)"),     // b.ne at +8: exactly +1 MiB
        ("far_tstbr14", armText + 0x800c, "R_AARCH64_TSTBR14 (279)"),          // tbnz at +0xc: exactly +32 KiB
        ("far_page", armText + 0x1_0000_0000, "R_AARCH64_ADR_PREL_PG_HI21 (275)"), // 4 GiB of pages ahead
        ("far_g0", 0x1_0000, "R_AARCH64_MOVW_UABS_G0 (263)"),
        ("far_abs32", 0x1_0000_0000, "R_AARCH64_ABS32 (258)"),
        ("far_prel32", armText - 0x8000_0000 + 0x1000 - 1, "R_AARCH64_PREL32 (261)"),  // 2^31 + 5 behind +0x1004
    ]

    static func machine(_ architecture: Architecture, _ values: [String: UInt64]) -> Machine {
        let machine = ELFFixtures.machine(architecture)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            machine.symbols.add(Symbol(name: name, address: value, size: 0, type: "T"))
        }
        return machine
    }

    @Test("x86_64: every field in range loads, with the values derived by hand")
    func x86InRange() throws {
        let machine = Self.machine(.x86_64, Self.x86InRange)
        _ = try ELFLoader.load(bytes: ELFFixtures.bytes("x86_64/overflow.o"), name: "overflow.o", into: machine)
        // readelf -r: 32S at +3, PC32 at +0xa (addend -4), 32 at +0xf, PLT32 at +0x14 (addend -4).
        #expect(try machine.memory.kernelRead(Self.x86Text + 3, size: 4) == 0x8000_0000)
        #expect(try machine.memory.kernelRead(Self.x86Text + 0xa, size: 4) == 0x10_0000 - 4 - 0xa)
        #expect(try machine.memory.kernelRead(Self.x86Text + 0xf, size: 4) == 0x7fff_0000)
        // 0xffffffff80000000 - 4 - 0xffffffff81000014 = -0x1000018
        #expect(try machine.memory.kernelRead(Self.x86Text + 0x14, size: 4) == UInt64(UInt32(bitPattern: -0x100_0018)))
    }

    @Test("x86_64: an out-of-range value names its relocation", arguments: 0..<4)
    func x86Overflow(case index: Int) throws {
        let bad = Self.x86OutOfRange[index]
        var values = Self.x86InRange
        values[bad.symbol] = bad.value
        let machine = Self.machine(.x86_64, values)
        let error = try #require(throws: ELFError.self) {
            try ELFLoader.load(bytes: ELFFixtures.bytes("x86_64/overflow.o"), name: "overflow.o", into: machine)
        }
        #expect(error.kind == .relocationOverflow)
        #expect(error.description.contains("\(bad.type) against \(bad.symbol)"), "\(error)")
        #expect(error.description.hasPrefix("overflow.o: relocation "))
        #expect(!machine.memory.isMapped(Self.x86Text))
    }

    @Test("arm64: every field in range loads, with the values derived by hand")
    func armInRange() throws {
        let machine = Self.machine(.arm64, Self.armInRange)
        _ = try ELFLoader.load(bytes: ELFFixtures.bytes("arm64/overflow.o"), name: "overflow.o", into: machine)
        // bl +1 MiB: 0x94000000 | (0x100000 >> 2); b from +4 to +1 MiB: 0x14000000 | ((0x100000 - 4) >> 2)
        #expect(try machine.memory.kernelRead(Self.armText, size: 4) == 0x9404_0000)
        #expect(try machine.memory.kernelRead(Self.armText + 4, size: 4) == 0x1403_ffff)
        // movz x2, #0x1234 at +0x14: 0xd2800000 | 0x1234 << 5 | 2
        #expect(try machine.memory.kernelRead(Self.armText + 0x14, size: 4) == 0xd280_0000 | 0x1234 << 5 | 2)
        // .rodata (+0x1000): ABS32 0x12345678, then PREL32 (armText + 0x2000) - (armText + 0x1004) = 0xffc
        #expect(try machine.memory.kernelRead(Self.armText + 0x1000, size: 4) == 0x1234_5678)
        #expect(try machine.memory.kernelRead(Self.armText + 0x1004, size: 4) == 0xffc)
    }

    @Test("arm64: an out-of-range value names its relocation", arguments: 0..<6)
    func armOverflow(case index: Int) throws {
        let bad = Self.armOutOfRange[index]
        var values = Self.armInRange
        values[bad.symbol] = bad.value
        let machine = Self.machine(.arm64, values)
        let error = try #require(throws: ELFError.self) {
            try ELFLoader.load(bytes: ELFFixtures.bytes("arm64/overflow.o"), name: "overflow.o", into: machine)
        }
        #expect(error.kind == .relocationOverflow)
        #expect(error.description.contains("\(bad.type) against \(bad.symbol)"), "\(error)")
    }

    @Test("arm64: the edges of the branch ranges still fit")
    func armEdges() throws {
        var values = Self.armInRange
        values["far_call26"] = Self.armText + 0x800_0000 - 4        // largest forward bl from +0
        values["far_jump26"] = Self.armText + 4 - 0x800_0000        // largest backward b from +4
        values["far_tstbr14"] = Self.armText + 0xc + 0x8000 - 4     // largest forward tbnz from +0xc
        let machine = Self.machine(.arm64, values)
        _ = try ELFLoader.load(bytes: ELFFixtures.bytes("arm64/overflow.o"), name: "overflow.o", into: machine)
        #expect(try machine.memory.kernelRead(Self.armText, size: 4) == 0x9400_0000 | 0x1ff_ffff)
        #expect(try machine.memory.kernelRead(Self.armText + 4, size: 4) == 0x1400_0000 | 0x200_0000)
    }

    @Test("arm64: a branch to a symbol beyond ±128 MiB goes through a module PLT veneer")
    func armPLT() throws {
        var values = Self.armInRange
        values["far_call26"] = 0xffff_ffff_fe00_0010                  // the first host function's address
        values["far_jump26"] = Self.armText - 0x800_0004              // b at +4: 128 MiB + 8 behind
        let machine = Self.machine(.arm64, values)
        let object = try ELFLoader.load(bytes: ELFFixtures.bytes("arm64/overflow.o"), name: "overflow.o", into: machine)
        // Two far destinations, two 20-byte veneers after .text (0x1c bytes, readelf -S).
        let plt = try #require(object.section(named: ".plt"))
        #expect(plt.address == Self.armText + 0x1c && plt.size == 40 && plt.permissions == .text)
        // bl at +0 to +0x1c: 0x94000000 | 7; b at +4 to +0x30: 0x14000000 | (0x2c >> 2).
        #expect(try machine.memory.kernelRead(Self.armText, size: 4) == 0x9400_0007)
        #expect(try machine.memory.kernelRead(Self.armText + 4, size: 4) == 0x1400_000b)
        // The first veneer is GNU as's encoding of `movz/movk x16...; br x16` for the host function.
        #expect(try machine.memory.kernelRead(plt.address, count: 20) == ELFFixtures.bytes("arm64/veneer.bin"))
        // The second builds armText - 0x8000004 = 0xffff7ffffffffffc in x16.
        // movz x16, #0xfffc (0xd2800010 | 0xfffc << 5); movk ... #0xffff, lsl 16 (0xf2a00010 | 0xffff << 5);
        // movk ... #0x7fff, lsl 32 (0xf2c00010 | 0x7fff << 5); movk ... #0xffff, lsl 48; br x16.
        let expected: [UInt64] = [0xd29f_ff90, 0xf2bf_fff0, 0xf2cf_fff0, 0xf2ff_fff0, 0xd61f_0200]
        let words = try (0..<5).map { try machine.memory.kernelRead(plt.address + 20 + 4 * UInt64($0), size: 4) }
        #expect(words == expected)
    }

    @Test("arm64: a branch beyond ±128 MiB within its own section cannot use a veneer and overflows")
    func armBeyondSameSection() throws {
        let machine = ELFFixtures.machine(.arm64)
        let error = try #require(throws: ELFError.self) {
            try ELFLoader.load(bytes: ELFFixtures.bytes("arm64/beyond.o"), name: "beyond.o", into: machine)
        }
        #expect(error.kind == .relocationOverflow)
        #expect(error.description == "beyond.o: relocation 0 of section 2 (.rela.text) at .text+0x0 R_AARCH64_CALL26 (283) against beyond: value 0x8000000 does not fit a 26-bit word branch offset (±128 MiB)")
    }

    @Test("a relocation type the loader does not apply is named with its number, section and offset",
          arguments: [(Architecture.x86_64, "R_X86_64_GOTPCREL (9)", ".text+0x1"),
                      (Architecture.arm64, "R_AARCH64_ADR_GOT_PAGE (311)", ".text+0x0")])
    func unsupported(architecture: Architecture, type: String, place: String) throws {
        let machine = Self.machine(architecture, ["some_symbol": architecture.kernelTextBase + 0x5000])
        let error = try #require(throws: ELFError.self) {
            try ELFLoader.load(bytes: ELFFixtures.bytes("\(architecture)/unsupported.o"), name: "unsupported.o", into: machine)
        }
        #expect(error.kind == .unsupported)
        #expect(error.description == "unsupported.o: relocation 0 of section 2 (.rela.text) at \(place) has type \(type), which the loader does not support")
    }
}
