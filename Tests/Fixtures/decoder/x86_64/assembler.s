# Assembler oracle source: GNU as + ld (origin 0x401000) make assembler.bin; X86AssemblerTests must match it.
start:
    push %rbp
    mov %rsp,%rbp
    push %r15
    push %rbx
    sub $0x28,%rsp
    mov %rdi,%rax
    mov %esi,%ecx
    mov %dx,%ax
    mov %al,%ah
    mov %sil,%dil
    mov $0x12345678,%eax
    mov $-1,%rax
    mov $0x123456789a,%rdx
    movabs $0x1122334455667788,%r9
    mov $0x7f,%r10b
    movq $0x10,0x8(%rsp)
    movl $0x0,(%rax)
    movb $0x1,-0x1(%rbp)
    movw $0x2,(%rbx,%rcx,2)
    mov 0x18(%rdi),%rax
    mov %rax,-0x8(%rbp)
    mov (%r12),%r13
    mov 0x0(%r13),%r14
    mov (%rsp),%rcx
    mov 0x1000(%rax,%rbx,8),%edx
    mov %gs:0x28,%rax
    mov 0x28,%rax
    lea data(%rip),%rsi
    mov data(%rip),%rax
    lea 0x0(,%rax,8),%rcx
    lea (%rdi,%rsi,1),%rax
    add %rcx,%rax
    add $0x1,%rax
    add $0x100,%eax
    add $0x100,%ecx
    add $0x1,%al
    addl $0x5,0x10(%rdi)
    adc %rdx,%rbx
    sbb $0x0,%ecx
    sub %r8,%r9
    subq $0x8,(%rsp)
    cmp $0xffffffffffffffff,%rax
    cmp %esi,%edi
    cmpb $0x0,(%rdi)
    and $0xf,%eax
    or %r10d,%r11d
    xor %eax,%eax
    test %rax,%rax
    test $0x1,%al
    test $0x100,%eax
    test $0x1,%ecx
    testb $0x4,0x3(%rdi)
    inc %eax
    dec %r12
    incl (%rax)
    neg %rdx
    not %ecx
    mul %rcx
    imul %rsi
    div %r8
    idivl 0x4(%rsp)
    imul %rsi,%rax
    imul $0x38,%rax,%rax
    imul $0x1000,%rdx,%rcx
    imul 0x18(%rdi),%edx
    shl %rax
    shl $1,%eax
    shl $0x3,%rdx
    shr %cl,%esi
    sar $0x3f,%rax
    rol $0x11,%rdi
    ror %cl,%r14
    rcl %eax
    rcr $0x2,%bl
    shll $0x2,0x8(%rax)
    shld $0x4,%rax,%rdx
    shrd %cl,%rsi,%rdi
    bt %rcx,%rax
    bt $0x3a,%rax
    bts %eax,(%rdx)
    btrl $0x3,(%rax)
    btc %r8,%r9
    bsf %rax,%rdx
    bsr %ecx,%eax
    tzcnt %rdi,%rax
    lzcnt %esi,%eax
    popcnt %rcx,%rcx
    bswap %eax
    bswap %r12
    movzbl %al,%eax
    movzwl (%rdi),%ecx
    movsbq %dl,%rsi
    movswl %ax,%edx
    movslq %ecx,%rax
    movzbl %ah,%ecx
    cltq
    cqto
    cltd
    cwtl
    xchg %rax,%rdx
    xchg %ecx,%edx
    xchg %al,(%rdi)
    cmove %rdx,%rax
    cmovl (%rsi),%ecx
    sete %al
    setne %sil
    setg (%rdi)
    lock cmpxchg %edx,(%rdi)
    lock xadd %eax,0x10(%rdx)
    cmpxchg %rcx,%rbx
    rep stos %rax,%es:(%rdi)
    rep movsb %ds:(%rsi),%es:(%rdi)
    stosb %al,%es:(%rdi)
    repz cmpsb %es:(%rdi),%ds:(%rsi)
    repnz scas %es:(%rdi),%al
    call start
    call *%rax
    call *0x8(%rbx)
    jmp *%rdx
    jmp *table(,%rax,8)
    notrack jmp *%rax
    je near_label
    jne start
    jg far_label
    jmp near_label
    loop near_label
    jrcxz near_label
near_label:
    pushf
    popf
    cli
    sti
    push $0x1
    push $0x1000
    push 0x8(%rax)
    pop %r15
    pop (%rax)
    nop
    nopl (%rax)
    nopw 0x0(%rax,%rax,1)
    pause
    endbr64
    int3
    ud2
    hlt
    enter $0x10,$0x0
    leave
    ret $0x8
    .byte 0x90, 0xcc
    .long 0x12345678
    .quad 0x1122334455667788
    jmp far_label
    .quad near_label
table:
    .quad start, near_label
data:
    .quad 0xdeadbeef
    .byte 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
    .byte 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
    .byte 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0
far_label:
    ret
local_labels:
    mov $3,%ecx
1:  dec %ecx
    jne 1b
    jmp 1f
    nop
1:  jmp 1b
    ret
