// One relocation of each checked aarch64 kind against its own external symbol, so a test can place exactly
// one symbol out of range and expect the loader to name that relocation.
	.text
	.globl	overflow_entry
overflow_entry:
	bl	far_call26		// R_AARCH64_CALL26
	b	far_jump26		// R_AARCH64_JUMP26
	b.ne	far_condbr19		// R_AARCH64_CONDBR19
	tbnz	x1, #5, far_tstbr14	// R_AARCH64_TSTBR14
	adrp	x0, far_page		// R_AARCH64_ADR_PREL_PG_HI21
	movz	x2, #:abs_g0:far_g0	// R_AARCH64_MOVW_UABS_G0
	ret
	.section .rodata
	.word	far_abs32		// R_AARCH64_ABS32
	.word	far_prel32 - .		// R_AARCH64_PREL32
	.section .note.GNU-stack, "", %progbits
