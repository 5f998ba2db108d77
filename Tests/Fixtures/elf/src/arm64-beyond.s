// A call to a symbol of the same section 128 MiB away: no PLT veneer can help (the kernel only emits them for
// other sections), so loading must fail with a CALL26 overflow.
	.text
	.globl	beyond_entry
beyond_entry:
	bl	beyond
	ret
	.globl	beyond
	.set	beyond, beyond_entry + 0x8000000
	.section .note.GNU-stack, "", %progbits
