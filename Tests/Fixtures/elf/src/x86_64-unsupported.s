# A relocation type the loader does not apply (R_X86_64_GOTPCREL, 9): loading must fail naming it.
	.text
	.globl	unsupported_entry
unsupported_entry:
	nop
	.reloc	., R_X86_64_GOTPCREL, some_symbol
	.long	0
	ret
	.section .note.GNU-stack, "", @progbits
