# Every x86_64 relocation type the ELF loader applies, plus data holding pointers.
# Assembled with `as --64`, linked by scripts/make-elf-fixtures.sh with GNU ld at the addresses the loader
# picks, so the linked bytes are the loader's oracle. External symbols (printk, small_value) come from the
# test's symbol table and from --defsym for ld; weak_missing stays undefined (weak: resolves to 0).
	.text
	.globl	x86_entry
	.type	x86_entry, @function
x86_entry:
.Lfentry_entry:
	.byte	0x0f, 0x1f, 0x44, 0x00, 0x00	# the 5-byte nop ftrace leaves at a recorded site
	call	x86_helper			# R_X86_64_PLT32
	call	printk				# R_X86_64_PLT32 to a host function
	leaq	counter(%rip), %rax		# R_X86_64_PC32
	movq	$counter, %rax			# R_X86_64_32S
	movl	$small_value, %eax		# R_X86_64_32
	movabsq	$table+16, %rax			# R_X86_64_64 with an addend
	.reloc	., R_X86_64_NONE, x86_entry	# R_X86_64_NONE
	jmp	x86_cold			# R_X86_64_PLT32 into .text.unlikely
	.size	x86_entry, .-x86_entry

	.type	x86_helper, @function
x86_helper:
.Lfentry_helper:
	.byte	0x0f, 0x1f, 0x44, 0x00, 0x00
	movq	table(%rip), %rax		# R_X86_64_PC32 into .rodata
	addq	zeroed+8(%rip), %rax		# R_X86_64_PC32 into .bss
	ret
	.size	x86_helper, .-x86_helper

	.weak	x86_weak_hook			# a weak definition: nm and kallsyms say W
	.type	x86_weak_hook, @function
x86_weak_hook:
	ret
	.size	x86_weak_hook, .-x86_weak_hook

	.section .text.unlikely, "ax", @progbits
	.globl	x86_cold
	.type	x86_cold, @function
	.p2align 4
x86_cold:
	movq	common_buf(%rip), %rax		# R_X86_64_PC32 to a COMMON symbol
	ret
	.size	x86_cold, .-x86_cold

	.section .rodata
	.p2align 3
	.type	table, @object
table:
	.quad	x86_entry			# R_X86_64_64
	.quad	printk				# R_X86_64_64 to a host function
	.long	counter - .			# R_X86_64_PC32 in data
	.long	0
	.quad	x86_cold - .			# R_X86_64_PC64
	.quad	weak_missing			# weak undefined: 0
	.size	table, .-table
	.weak	weak_missing

	.section __mcount_loc, "a", @progbits
	.quad	.Lfentry_entry
	.quad	.Lfentry_helper

	.data
	.p2align 3
	.globl	counter
	.type	counter, @object
counter:
	.quad	42
	.size	counter, 8
	.type	pointers, @object
pointers:
	.quad	table + 8			# R_X86_64_64 with an addend
	.quad	counter
	.size	pointers, 16

	.bss
	.p2align 5
	.globl	zeroed
	.type	zeroed, @object
zeroed:
	.zero	64
	.size	zeroed, 64
	.comm	common_buf, 32, 16
	.lcomm	local_buf, 24			# a local bss object: b

	.section .data.rel, "aw", @progbits
	.weak	x86_weak_object			# a weak object: V
	.type	x86_weak_object, @object
x86_weak_object:
	.quad	x86_weak_hook
	.size	x86_weak_object, 8

	# Not allocated: its relocations must be skipped, and it must not be loaded.
	.section .debug_info, "", @progbits
	.quad	x86_entry
	.ident	"kprobesim fixture"

	.section .note.GNU-stack, "", @progbits
