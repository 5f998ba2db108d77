// Every aarch64 relocation type the ELF loader applies, plus data holding pointers.
// Assembled with aarch64-linux-gnu-as, linked by scripts/make-elf-fixtures.sh with GNU ld at the addresses
// the loader picks, so the linked bytes are the loader's oracle. External symbols (printk, small16, small32,
// small48) come from the test's symbol table and from --defsym for ld; weak_missing stays undefined.
	.text
	.globl	a64_entry
	.type	a64_entry, %function
a64_entry:
.Lpfe_entry:
	nop					// the two patchable-entry nops
	nop
	bl	a64_helper			// R_AARCH64_CALL26
	b	a64_cold			// R_AARCH64_JUMP26
	adrp	x0, counter			// R_AARCH64_ADR_PREL_PG_HI21
	add	x0, x0, :lo12:counter		// R_AARCH64_ADD_ABS_LO12_NC
	ldrb	w1, [x0, :lo12:bytes]		// R_AARCH64_LDST8_ABS_LO12_NC
	ldrh	w1, [x0, :lo12:halves]		// R_AARCH64_LDST16_ABS_LO12_NC
	ldr	w1, [x0, :lo12:words]		// R_AARCH64_LDST32_ABS_LO12_NC
	ldr	x1, [x0, :lo12:counter]		// R_AARCH64_LDST64_ABS_LO12_NC
	ldr	q1, [x0, :lo12:vector]		// R_AARCH64_LDST128_ABS_LO12_NC
	adrp	x3, :pg_hi21_nc:table		// R_AARCH64_ADR_PREL_PG_HI21_NC
	adr	x4, table			// R_AARCH64_ADR_PREL_LO21
	ldr	x5, literal			// R_AARCH64_LD_PREL_LO19
	cbz	x0, a64_cold			// R_AARCH64_CONDBR19
	b.eq	a64_cold			// R_AARCH64_CONDBR19
	tbz	x0, #3, a64_cold		// R_AARCH64_TSTBR14
	movz	x6, #:abs_g0:small16		// R_AARCH64_MOVW_UABS_G0
	movk	x6, #:abs_g0_nc:counter		// R_AARCH64_MOVW_UABS_G0_NC
	movz	x7, #:abs_g1:small32		// R_AARCH64_MOVW_UABS_G1
	movk	x7, #:abs_g1_nc:counter		// R_AARCH64_MOVW_UABS_G1_NC
	movz	x8, #:abs_g2:small48		// R_AARCH64_MOVW_UABS_G2
	movk	x8, #:abs_g2_nc:counter		// R_AARCH64_MOVW_UABS_G2_NC
	movk	x8, #:abs_g3:counter		// R_AARCH64_MOVW_UABS_G3
	.reloc	., R_AARCH64_NONE, a64_entry	// R_AARCH64_NONE
	ret
	.size	a64_entry, .-a64_entry

	.globl	a64_helper
	.type	a64_helper, %function
a64_helper:
.Lpfe_helper:
	nop
	nop
	ret
	.size	a64_helper, .-a64_helper

	.weak	a64_weak_hook			// a weak definition: nm and kallsyms say W
	.type	a64_weak_hook, %function
a64_weak_hook:
	ret
	.size	a64_weak_hook, .-a64_weak_hook

	.section .text.unlikely, "ax", %progbits
	.globl	a64_cold
	.type	a64_cold, %function
	.p2align 4
a64_cold:
	adrp	x0, common_buf
	add	x0, x0, :lo12:common_buf
	ret
	.size	a64_cold, .-a64_cold

	.section .rodata
	.p2align 4
	.type	table, %object
table:
	.xword	a64_entry			// R_AARCH64_ABS64
	.xword	printk				// R_AARCH64_ABS64 to a host function
	.word	small32				// R_AARCH64_ABS32
	.word	counter - .			// R_AARCH64_PREL32
	.xword	a64_cold - .			// R_AARCH64_PREL64
	.xword	weak_missing			// weak undefined: 0
	.size	table, .-table
	.weak	weak_missing
	.type	literal, %object
literal:
	.xword	counter + 8			// R_AARCH64_ABS64 with an addend
	.size	literal, 8

	.data
	.p2align 4
	.globl	counter
	.type	counter, %object
counter:
	.xword	42
	.size	counter, 8
bytes:	.byte	1, 2, 3, 4
	.p2align 1
halves:	.hword	5, 6
	.p2align 2
words:	.word	7, 8
	.p2align 4
	.type	vector, %object
vector:	.xword	9, 10
	.size	vector, 16
pointers:
	.xword	table + 8
	.xword	counter

	.bss
	.p2align 5
	.globl	zeroed
	.type	zeroed, %object
zeroed:
	.zero	64
	.size	zeroed, 64
	.comm	common_buf, 32, 16
	.lcomm	local_buf, 24			// a local bss object: b

	.section .data.rel, "aw", %progbits
	.weak	a64_weak_object			// a weak object: V
	.type	a64_weak_object, %object
a64_weak_object:
	.xword	a64_weak_hook
	.size	a64_weak_object, 8

	// Last of the writable sections: ld places SHF_LINK_ORDER sections after the others of their output section.
	.section __patchable_function_entries, "awo", %progbits, a64_entry
	.p2align 3
	.xword	.Lpfe_entry
	.xword	.Lpfe_helper

	// Allocated, but the module loader only reads it (MODULE_LICENSE's record): neither loaded nor listed.
	.section .modinfo, "a", %progbits
	.type	__UNIQUE_ID_license, %object
__UNIQUE_ID_license:
	.asciz	"license=GPL"
	.size	__UNIQUE_ID_license, 12

	// Not allocated: its relocations must be skipped, and it must not be loaded.
	.section .debug_info, "", %progbits
	.xword	a64_entry
	.ident	"kprobesim fixture"

	.section .note.GNU-stack, "", %progbits
