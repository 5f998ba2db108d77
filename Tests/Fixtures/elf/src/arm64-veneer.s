// The module PLT veneer the loader must emit for a branch to 0xfffffffffe000010 (the first host function):
// GNU as encodes it here, independently of the loader's encoder.
	.text
	movz	x16, #0x0010
	movk	x16, #0xfe00, lsl #16
	movk	x16, #0xffff, lsl #32
	movk	x16, #0xffff, lsl #48
	br	x16
	.section .note.GNU-stack, "", %progbits
