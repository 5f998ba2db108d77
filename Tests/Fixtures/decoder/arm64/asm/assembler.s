// Assembler oracle: assembled by aarch64-linux-gnu-as into assembler.bin (scripts/make-arm64-decoder-corpus.sh);
// ARM64AssemblerTests assembles this same text and compares bytes. The first part is exec/routines.s with its
// macros and numeric local labels spelled out; the second part covers the rest of the executor's subset.
start:
t_adds64:
    adds x0, x0, x1
    ret
t_adds64_f:
    adds xzr, x0, x1
    mrs x0, nzcv
    ret
t_subs64_f:
    cmp x0, x1
    mrs x0, nzcv
    ret
t_subs32_f:
    cmp w0, w1
    mrs x0, nzcv
    ret
t_adds32:
    adds w0, w0, w1, lsl #3
    mrs x1, nzcv
    orr x0, x0, x1, lsl #32
    ret
t_subs_asr:
    subs x0, x0, x1, asr #7
    mrs x1, nzcv
    eor x0, x0, x1
    ret
t_cmn_imm:
    cmn w0, #0x123
    mrs x0, nzcv
    ret
t_sub_imm12:
    sub x0, x0, #0x5, lsl #12
    sub w1, w1, #4095
    add x0, x0, x1
    ret
t_adc:
    cmp x2, x3
    adcs x0, x0, x1
    mrs x1, nzcv
    eor x0, x0, x1
    ret
t_sbc32:
    cmp x2, x3
    sbcs w0, w0, w1
    mrs x1, nzcv
    eor x0, x0, x1
    ret
t_ngc:
    cmp x2, x3
    ngc x0, x0
    ret
t_ext:
    add x4, x0, w1, sxtw #2
    sub x5, x0, w1, uxtb
    add x6, x0, w1, sxth #1
    sub x7, x0, x1, sxtx #4
    adds w8, w0, w1, uxth
    eor x0, x4, x5, ror #3
    eor x0, x0, x6, lsl #5
    eor x0, x0, x7
    eor x0, x0, x8, lsl #17
    ret
t_ext_sp:
    mov x9, sp
    mov x4, #0x1000
    sub sp, sp, x4
    add x0, sp, w0, uxtw
    add sp, sp, x4
    sub x0, x0, x9
    ret
t_logimm:
    and x4, x0, #0xff00ff00ff00ff00
    orr x5, x0, #0x3ffc
    eor x6, x0, #0x5555555555555555
    and w7, w0, #0x80000001
    orr w8, w1, #0xfffffff0
    eor x0, x4, x5
    eor x0, x0, x6, lsl #1
    eor x0, x0, x7, lsl #2
    eor x0, x0, x8, lsl #3
    ret
t_ands_f:
    ands x0, x0, #0xf0000000000000ff
    mrs x0, nzcv
    ret
t_tst32_f:
    tst w0, w1
    mrs x0, nzcv
    ret
t_logreg:
    bic x4, x0, x1
    orn x5, x0, x1, lsr #4
    eon x6, x0, x1, asr #60
    orr w7, w0, w1, ror #13
    bics x8, x1, x0, lsl #1
    mrs x9, nzcv
    eor x0, x4, x5
    eor x0, x0, x6
    eor x0, x0, x7
    eor x0, x0, x8
    eor x0, x0, x9
    ret
t_mov:
    movz x4, #0x1234, lsl #48
    movk x4, #0x5678, lsl #16
    movn x5, #0x42
    movn w6, #0x42, lsl #16
    mov w7, #-2
    movk w7, #0xabcd
    mov x8, x0
    mov w9, w1
    eor x0, x4, x5
    eor x0, x0, x6
    eor x0, x0, x7
    eor x0, x0, x8
    eor x0, x0, x9
    ret
t_bitfield:
    ubfx x4, x0, #5, #17
    sbfx x5, x0, #40, #20
    ubfiz x6, x1, #12, #9
    sbfiz x7, x1, #3, #30
    mov x8, x1
    bfi x8, x0, #8, #16
    mov x9, x1
    bfxil x9, x0, #60, #4
    eor x0, x4, x5
    eor x0, x0, x6
    eor x0, x0, x7
    eor x0, x0, x8
    eor x0, x0, x9
    ret
t_bitfield32:
    ubfx w4, w0, #5, #17
    sbfx w5, w0, #20, #12
    ubfiz w6, w1, #12, #9
    sbfiz w7, w1, #3, #20
    mov w8, w1
    bfi w8, w0, #8, #16
    mov w9, w1
    bfxil w9, w0, #28, #4
    eor x0, x4, x5
    eor x0, x0, x6, lsl #1
    eor x0, x0, x7, lsl #2
    eor x0, x0, x8, lsl #3
    eor x0, x0, x9, lsl #4
    ret
t_extend:
    sxtb x4, w0
    sxth w5, w1
    sxtw x6, w1
    uxtb w7, w0
    uxth w8, w1
    lsl x9, x0, #13
    lsr w10, w1, #7
    asr x11, x1, #33
    asr w12, w0, #3
    eor x0, x4, x5
    eor x0, x0, x6, ror #7
    eor x0, x0, x7, lsl #9
    eor x0, x0, x8, lsl #11
    eor x0, x0, x9
    eor x0, x0, x10, ror #21
    eor x0, x0, x11, ror #33
    eor x0, x0, x12, ror #45
    ret
t_extr:
    extr x4, x0, x1, #13
    ror x5, x1, #47
    extr w6, w0, w1, #5
    ror w7, w0, #31
    eor x0, x4, x5
    eor x0, x0, x6
    eor x0, x0, x7, lsl #32
    ret
t_conds:
    cmp x0, x1
    mov x4, #0
    cset w5, eq
    bfi x4, x5, #0, #1
    cset w5, ne
    bfi x4, x5, #1, #1
    cset w5, hs
    bfi x4, x5, #2, #1
    cset w5, lo
    bfi x4, x5, #3, #1
    cset w5, mi
    bfi x4, x5, #4, #1
    cset w5, pl
    bfi x4, x5, #5, #1
    cset w5, vs
    bfi x4, x5, #6, #1
    cset w5, vc
    bfi x4, x5, #7, #1
    cset w5, hi
    bfi x4, x5, #8, #1
    cset w5, ls
    bfi x4, x5, #9, #1
    cset w5, ge
    bfi x4, x5, #10, #1
    cset w5, lt
    bfi x4, x5, #11, #1
    cset w5, gt
    bfi x4, x5, #12, #1
    cset w5, le
    bfi x4, x5, #13, #1
    mov x0, x4
    ret
t_csel:
    cmp w0, w1
    csel x4, x0, x1, lt
    csinc x5, x0, x1, ge
    csinv w6, w0, w1, hi
    csneg x7, x0, x1, ls
    csetm x8, gt
    cinc x9, x2, le
    cneg w10, w3, vs
    cinv x11, x3, mi
    eor x0, x4, x5
    eor x0, x0, x6
    eor x0, x0, x7
    eor x0, x0, x8
    eor x0, x0, x9
    eor x0, x0, x10
    eor x0, x0, x11
    ret
t_ccmp:
    cmp x0, #0
    ccmp x1, x2, #0x5, ne
    mrs x4, nzcv
    cmp x1, x3
    ccmn w2, #0x11, #0xa, gt
    mrs x5, nzcv
    cmp x2, x1
    ccmp x0, #3, #0x2, cc
    mrs x6, nzcv
    orr x0, x4, x5, lsr #4
    orr x0, x0, x6, lsr #8
    ret
t_mul:
    mul x4, x0, x1
    madd x5, x0, x1, x2
    msub x6, x0, x1, x2
    smull x7, w0, w1
    umull x8, w0, w1
    smaddl x9, w1, w2, x3
    umsubl x10, w1, w2, x3
    smulh x11, x0, x1
    umulh x12, x0, x1
    mul w13, w0, w1
    mneg x14, x2, x3
    eor x0, x4, x5
    eor x0, x0, x6
    eor x0, x0, x7
    eor x0, x0, x8
    eor x0, x0, x9
    eor x0, x0, x10
    eor x0, x0, x11
    eor x0, x0, x12
    eor x0, x0, x13
    eor x0, x0, x14
    ret
t_udiv:
    udiv x0, x0, x1
    ret
t_sdiv:
    sdiv x0, x0, x1
    ret
t_udiv32:
    udiv w0, w0, w1
    ret
t_sdiv32:
    sdiv w0, w0, w1
    ret
t_shiftv:
    lsl x4, x0, x1
    lsr x5, x0, x2
    asr x6, x0, x3
    ror x7, x1, x0
    lsl w8, w0, w1
    lsr w9, w0, w2
    asr w10, w0, w3
    ror w11, w1, w0
    eor x0, x4, x5
    eor x0, x0, x6
    eor x0, x0, x7
    eor x0, x0, x8
    eor x0, x0, x9, lsl #32
    eor x0, x0, x10, lsl #16
    eor x0, x0, x11, lsl #8
    ret
t_bits:
    clz x4, x0
    cls x5, x1
    clz w6, w2
    cls w7, w3
    rbit x8, x0
    rbit w9, w1
    rev x10, x0
    rev w11, w1
    rev16 x12, x2
    rev16 w13, w3
    rev32 x14, x1
    eor x0, x4, x5, lsl #8
    eor x0, x0, x6, lsl #16
    eor x0, x0, x7, lsl #24
    eor x0, x0, x8
    eor x0, x0, x9, ror #3
    eor x0, x0, x10, ror #7
    eor x0, x0, x11, ror #11
    eor x0, x0, x12, ror #13
    eor x0, x0, x13, ror #17
    eor x0, x0, x14, ror #19
    ret
t_loadstore:
    stp x19, x20, [sp, #-64]!
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    sub sp, sp, #64
    stp x0, x1, [sp]
    stp x2, x3, [sp, #16]
    ldrb w4, [sp, #3]
    ldrsb x5, [sp, #9]
    ldrsb w6, [sp, #10]
    ldrh w7, [sp, #6]
    ldrsh x8, [sp, #14]
    ldrsh w9, [sp, #2]
    ldrsw x10, [sp, #4]
    ldur x11, [sp, #5]
    ldur w12, [sp, #13]
    mov x13, sp
    ldr x14, [x13, #8]!
    ldr w15, [x13], #4
    mov x26, sp
    sub x13, x13, x26
    mov x16, #3
    ldr x17, [sp, x16, lsl #3]
    mov w16, #-1
    add x18, sp, #8
    ldrh w16, [x18, w16, sxtw #1]
    strb w0, [sp, #33]
    strh w1, [sp, #40]
    str w2, [sp, #44]
    stur x3, [sp, #49]
    ldp x19, x20, [sp, #32]
    ldpsw x21, x22, [sp, #40]
    ldp w23, w24, [sp, #44]
    stp w1, w0, [sp, #-8]!
    ldr x25, [sp], #8
    add sp, sp, #64
    eor x0, x4, x5
    eor x0, x0, x6, ror #1
    eor x0, x0, x7, ror #2
    eor x0, x0, x8, ror #3
    eor x0, x0, x9, ror #4
    eor x0, x0, x10, ror #5
    eor x0, x0, x11, ror #6
    eor x0, x0, x12, ror #7
    eor x0, x0, x13, ror #8
    eor x0, x0, x14, ror #9
    eor x0, x0, x15, ror #10
    eor x0, x0, x16, ror #11
    eor x0, x0, x17, ror #12
    eor x0, x0, x19, ror #13
    eor x0, x0, x20, ror #14
    eor x0, x0, x21, ror #15
    eor x0, x0, x22, ror #16
    eor x0, x0, x23, ror #17
    eor x0, x0, x24, ror #18
    eor x0, x0, x25, ror #19
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x19, x20, [sp], #64
    ret
t_exclusive:
    sub sp, sp, #32
    str x0, [sp]
    mov x4, sp
L1_0:
    ldxr x5, [x4]
    add x5, x5, x1
    stxr w6, x5, [x4]
    cbnz w6, L1_0
    ldaxr w7, [x4]
    clrex
    stlxr w8, w2, [x4]
    stlr x3, [x4, #0]
    ldar x9, [x4]
    ldxp x10, x11, [x4]
    stxp w12, x1, x0, [x4]
    ldp x13, x14, [x4]
    add sp, sp, #32
    eor x0, x5, x7
    eor x0, x0, x8, lsl #1
    eor x0, x0, x9
    eor x0, x0, x10, ror #7
    eor x0, x0, x12, lsl #2
    eor x0, x0, x13, ror #9
    eor x0, x0, x14, ror #11
    ret
t_loop:
    and x0, x0, #0xff
    mov x4, #0
L1_1:
    cbz x0, L2_4
    add x4, x4, x0
    tbz x0, #0, L3_2
    eor x4, x4, x4, lsl #3
L3_2:
    tbnz x0, #1, L4_3
    add x4, x4, #7
L4_3:
    sub x0, x0, #1
    b L1_1
L2_4:
    subs x1, x1, #0
    b.ge L5_5
    neg x4, x4
L5_5:
    mov x0, x4
    ret
t_calls:
    stp x29, x30, [sp, #-16]!
    mov x29, sp
    bl L1_7
    adr x5, L1_7
    blr x5
    adr x6, L2_6
    br x6
    mov x0, #0
L2_6:
    ldp x29, x30, [sp], #16
    ret
L1_7:
    add x0, x0, x1
    ret
t_literal:
    .Lliteral_start:
    ldr x4, quad_literal
    ldr w5, L1_8
    ldrsw x6, L1_8
    prfm pldl1keep, L1_8
    adr x7, L1_8
    adr x8, .Lliteral_start
    sub x7, x7, x8
    eor x0, x4, x5
    eor x0, x0, x6, ror #5
    eor x0, x0, x7, lsl #40
    add x0, x0, x1
    ret
L1_8:
    .word 0x89abcdef
t_hints:
    nop
    yield
    dmb ish
    dsb sy
    isb
    add x0, x0, #1
    ret

    .word 0x0
quad_literal:
    .quad 0x123456789abcdef0
extra:
    movz x0, #0x1234, lsl #32
    movn w1, #0x0
    movk x2, #0xffff, lsl #48
    mov x3, #0xffffffff0000ffff
    mov w4, #0x80000000
    mov x5, #0x5555555555555555
    mov sp, x6
    mov x7, sp
    add sp, sp, #0x10, lsl #12
    adds w8, w9, #0xfff
    subs x10, sp, #0x1
    cmp w11, #0x0
    cmn x12, #0x8
    add x13, x14, x15, lsl #63
    sub w16, w17, w18, lsr #31
    adds x19, x20, x21, asr #1
    neg x22, x23, lsl #2
    negs w24, w25
    add x26, sp, x27, lsl #4
    sub w28, wsp, w29, uxtb #1
    cmp x0, w1, sxtw #2
    and sp, x1, #0xfffffffffffffff0
    tst w2, #0x1
    ands xzr, x3, x4, ror #7
    mvn w5, w6, lsl #1
    bic x7, x8, x9, lsr #60
    eon w10, w11, w12
    bics xzr, x13, x14
    ubfm x0, x1, #4, #2
    sbfm w2, w3, #31, #30
    bfm x4, x5, #63, #0
    bfc x6, #8, #4
    uxth w7, w8
    ubfx x9, x10, #0, #8
    sxtw x11, w12
    lsl w13, w14, #31
    lsr x15, x16, #63
    asr w17, w18, #0
    ror x19, x20, #1
    adc w21, w22, w23
    sbcs x24, x25, x26
    ngcs w27, w28
    ccmp w0, #0x1f, #0xf, al
    ccmn x1, x2, #0x0, nv
    csel w3, w4, w5, hs
    csinc x6, x7, x8, lo
    cset x9, cc
    cinv w10, w11, eq
    udiv w12, w13, w14
    sdiv x15, x16, x17
    lsl x18, x19, x20
    asr w21, w22, w23
    ror x24, x25, x26
    rev16 w27, w28
    cls x29, x30
    smsubl x0, w1, w2, x3
    umaddl x4, w5, w6, x7
    umnegl x8, w9, w10
    smnegl x11, w12, w13
    smulh x14, x15, x16
    umulh x17, x18, x19
    ldr x0, [x1, #32760]
    ldr w2, [sp, #16380]
    ldrb w3, [x4, #4095]
    ldrh w5, [x6, #8190]
    ldrsb x7, [x8]
    ldrsh w9, [x10, #-2]
    ldrsw x11, [x12, #-256]
    ldr x13, [x14, #255]
    str x15, [x16, #-8]!
    strb w17, [x18], #-1
    strh w19, [x20, #2]!
    str w21, [x22], #255
    ldur x23, [x24, #-1]
    stur w25, [x26]
    ldurb w27, [x28, #7]
    ldursh x29, [x30, #-9]
    ldr x0, [x1, x2]
    ldr w3, [x4, w5, uxtw #2]
    ldrb w6, [x7, x8, lsl #0]
    ldrh w9, [x10, w11, sxtw]
    ldrsw x12, [x13, x14, sxtx #2]
    str x15, [sp, x16, lsl #3]
    strb w17, [x18, w19, uxtw]
    prfm pldl1keep, [x0]
    prfm pstl3strm, [x1, #64]
    prfm #0x1f, [x2, x3]
    prfum plil2keep, [x4, #-1]
    ldp x0, x1, [sp, #-512]
    stp w2, w3, [x4, #252]
    ldp x5, x6, [x7], #-16
    stp x8, x9, [sp, #-16]!
    ldpsw x10, x11, [x12, #8]
    ldnp x13, x14, [x15, #16]
    stnp w16, w17, [x18]
    ldxrb w0, [x1]
    ldxrh w2, [x3]
    stxrb w4, w5, [x6]
    stlxrh w7, w8, [sp]
    ldaxp w9, w10, [x11]
    stlxp w12, x13, x14, [x15]
    ldarb w16, [x17]
    stlrh w18, [x19]
    ldlar x20, [x21]
    stllr w22, [x23]
    b extra
    bl quad_literal
    b.eq extra
    b.al start
    cbz w0, extra
    cbnz x1, start
    tbz w2, #31, extra
    tbnz x3, #63, start
    adr x4, start
    blr x5
    br x6
    ret x7
    retaa
    retab
    braa x8, x9
    blrab x10, sp
    braaz x11
    blrabz x12
    eret
    svc #0x0
    hvc #0x1
    smc #0xffff
    brk #0x4
    brk #0x6
    brk #0x7
    hlt #0xf000
    nop
    wfe
    wfi
    sev
    sevl
    xpaclri
    pacia1716
    paciasp
    autiasp
    paciaz
    autibsp
    bti
    bti c
    bti j
    bti jc
    esb
    csdb
    hint #0x7f
    clrex
    dmb ishld
    dsb sy
    dsb nsh
    isb
    sb
    msr daifset, #0xf
    msr daifclr, #0x2
    msr pan, #0x1
    msr uao, #0x0
    msr spsel, #0x1
    mrs x0, daif
    msr daif, x1
    mrs x2, nzcv
    msr nzcv, x3
    mrs x4, sp_el0
    msr sp_el0, x5
    mrs x6, tpidr_el1
    mrs x7, currentel
    mrs x8, mdscr_el1
    mrs x9, s3_0_c15_c2_0
    dc zva, x10
    dc civac, x11
    ic ivau, x12
    ic iallu
    tlbi vmalle1is
    cfinv
