# Routines whose probed instruction the 6.1 x86 kprobe code emulates in the int3 handler instead of stepping it
# (arch/x86/kernel/kprobes/core.c prepare_emulation, kprobe_emulate_*), for Tests/KprobesTests/
# KprobeX86EmulationTests.swift. Leaf functions: arguments in %rdi/%rsi, result in %rax.
# Assembled by scripts/make-kprobe-x86-fixtures.sh with GNU as; the tests take offsets from emulation.objdump.
	.text

# loop: rcx = rdi; the body counts its runs in eax. Returns runs | rcx at exit << 32.
	.globl	emu_loop
	.type	emu_loop, @function
emu_loop:
	mov	%rdi, %rcx
	xor	%eax, %eax
1:	add	$1, %eax
	loop	1b
	shl	$32, %rcx
	or	%rcx, %rax
	ret
	.size	emu_loop, .-emu_loop

# loopne: rcx = rdi; rax counts up from 1 and the loop stops when rax == rsi (ZF) or rcx runs out.
	.globl	emu_loopne
	.type	emu_loopne, @function
emu_loopne:
	mov	%rdi, %rcx
	xor	%eax, %eax
1:	add	$1, %rax
	cmp	%rsi, %rax
	loopne	1b
	shl	$32, %rcx
	or	%rcx, %rax
	ret
	.size	emu_loopne, .-emu_loopne

# loope: as loopne, but the loop goes on only while rax == rsi (ZF set).
	.globl	emu_loope
	.type	emu_loope, @function
emu_loope:
	mov	%rdi, %rcx
	xor	%eax, %eax
1:	add	$1, %rax
	cmp	%rsi, %rax
	loope	1b
	shl	$32, %rcx
	or	%rcx, %rax
	ret
	.size	emu_loope, .-emu_loope

# jrcxz (64-bit count): 1 if rdi == 0, else 2.
	.globl	emu_jrcxz
	.type	emu_jrcxz, @function
emu_jrcxz:
	mov	%rdi, %rcx
	mov	$1, %eax
	jrcxz	1f
	mov	$2, %eax
1:	ret
	.size	emu_jrcxz, .-emu_jrcxz

# jecxz (0x67 prefix: 32-bit count): 1 if the low half of rdi is 0, else 2.
	.globl	emu_jecxz
	.type	emu_jecxz, @function
emu_jecxz:
	mov	%rdi, %rcx
	mov	$1, %eax
	jecxz	1f
	mov	$2, %eax
1:	ret
	.size	emu_jecxz, .-emu_jecxz

# cli: RFLAGS right after cli (IF clear); IF set again before returning.
	.globl	emu_cli
	.type	emu_cli, @function
emu_cli:
	cli
	pushf
	pop	%rax
	sti
	ret
	.size	emu_cli, .-emu_cli

# sti: RFLAGS right after sti, IF having been cleared just before.
	.globl	emu_sti
	.type	emu_sti, @function
emu_sti:
	cli
	sti
	pushf
	pop	%rax
	ret
	.size	emu_sti, .-emu_sti

# pushf: the flags word cmp %rsi,%rdi left, as pushf stored it on the stack.
	.globl	emu_pushf
	.type	emu_pushf, @function
emu_pushf:
	cmp	%rsi, %rdi
	pushf
	pop	%rax
	ret
	.size	emu_pushf, .-emu_pushf

# popf: loads RFLAGS from rdi and reads it back; IF set again before returning.
	.globl	emu_popf
	.type	emu_popf, @function
emu_popf:
	push	%rdi
	popf
	pushf
	pop	%rax
	sti
	ret
	.size	emu_popf, .-emu_popf

# jmp *%r11 (REX.B, 3 bytes): 1 if the jump lands on its target, 2 if it fell through.
	.globl	emu_jmp_reg
	.type	emu_jmp_reg, @function
emu_jmp_reg:
	lea	1f(%rip), %r11
	mov	$1, %eax
	jmp	*%r11
	mov	$2, %eax
1:	ret
	.size	emu_jmp_reg, .-emu_jmp_reg

# call *%rdx (2 bytes) to emu_callee, which returns its return address; the caller returns that address minus
# the address of the instruction after the call: 0 when the pushed return address is the next instruction.
	.globl	emu_call_reg
	.type	emu_call_reg, @function
emu_call_reg:
	lea	emu_callee(%rip), %rdx
	call	*%rdx
2:	lea	2b(%rip), %rdx
	sub	%rdx, %rax
	ret
	.size	emu_call_reg, .-emu_call_reg

	.globl	emu_callee
	.type	emu_callee, @function
emu_callee:
	mov	(%rsp), %rax
	ret
	.size	emu_callee, .-emu_callee
