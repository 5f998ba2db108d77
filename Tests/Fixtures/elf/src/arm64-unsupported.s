// A relocation type the loader does not apply (R_AARCH64_ADR_GOT_PAGE, 311): loading must fail naming it.
	.text
	.globl	unsupported_entry
unsupported_entry:
	adrp	x0, :got:some_symbol
	ret
	.section .note.GNU-stack, "", %progbits
