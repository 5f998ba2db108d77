# One relocation of each checked x86_64 kind against its own external symbol, so a test can place exactly one
# symbol out of range and expect the loader to name that relocation.
	.text
	.globl	overflow_entry
overflow_entry:
	movq	$far_32s, %rax		# R_X86_64_32S
	leaq	far_pc32(%rip), %rax	# R_X86_64_PC32
	movl	$far_32, %eax		# R_X86_64_32
	call	far_plt32		# R_X86_64_PLT32
	ret
	.section .note.GNU-stack, "", @progbits
