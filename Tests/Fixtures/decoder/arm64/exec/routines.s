// Test routines for the arm64 executor: each takes x0..x3 and returns x0. Assembled by GNU as; expected
// results come from running them natively under qemu-user (see scripts/make-arm64-decoder-corpus.sh).
    .text
    .p2align 2
.macro FN name
    .global \name
    .type \name, %function
\name:
.endm

FN t_adds64
                adds x0, x0, x1
                ret
FN t_adds64_f
                adds xzr, x0, x1
                mrs x0, nzcv
                ret
FN t_subs64_f
                cmp x0, x1
                mrs x0, nzcv
                ret
FN t_subs32_f
                cmp w0, w1
                mrs x0, nzcv
                ret
FN t_adds32
                adds w0, w0, w1, lsl #3
                mrs x1, nzcv
                orr x0, x0, x1, lsl #32
                ret
FN t_subs_asr
                subs x0, x0, x1, asr #7
                mrs x1, nzcv
                eor x0, x0, x1
                ret
FN t_cmn_imm
                cmn w0, #0x123
                mrs x0, nzcv
                ret
FN t_sub_imm12
                sub x0, x0, #0x5, lsl #12
                sub w1, w1, #4095
                add x0, x0, x1
                ret
FN t_adc
                cmp x2, x3
                adcs x0, x0, x1
                mrs x1, nzcv
                eor x0, x0, x1
                ret
FN t_sbc32
                cmp x2, x3
                sbcs w0, w0, w1
                mrs x1, nzcv
                eor x0, x0, x1
                ret
FN t_ngc
                cmp x2, x3
                ngc x0, x0
                ret
FN t_ext
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
FN t_ext_sp
                mov x9, sp
                mov x4, #0x1000
                sub sp, sp, x4
                add x0, sp, w0, uxtw
                add sp, sp, x4
                sub x0, x0, x9
                ret
FN t_logimm
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
FN t_ands_f
                ands x0, x0, #0xf0000000000000ff
                mrs x0, nzcv
                ret
FN t_tst32_f
                tst w0, w1
                mrs x0, nzcv
                ret
FN t_logreg
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
FN t_mov
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
FN t_bitfield
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
FN t_bitfield32
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
FN t_extend
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
FN t_extr
                extr x4, x0, x1, #13
                ror x5, x1, #47
                extr w6, w0, w1, #5
                ror w7, w0, #31
                eor x0, x4, x5
                eor x0, x0, x6
                eor x0, x0, x7, lsl #32
                ret
FN t_conds
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
FN t_csel
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
FN t_ccmp
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
FN t_mul
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
FN t_udiv
                udiv x0, x0, x1
                ret
FN t_sdiv
                sdiv x0, x0, x1
                ret
FN t_udiv32
                udiv w0, w0, w1
                ret
FN t_sdiv32
                sdiv w0, w0, w1
                ret
FN t_shiftv
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
FN t_bits
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
FN t_loadstore
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
FN t_exclusive
                sub sp, sp, #32
                str x0, [sp]
                mov x4, sp
1:              ldxr x5, [x4]
                add x5, x5, x1
                stxr w6, x5, [x4]
                cbnz w6, 1b
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
FN t_loop
                and x0, x0, #0xff
                mov x4, #0
1:              cbz x0, 2f
                add x4, x4, x0
                tbz x0, #0, 3f
                eor x4, x4, x4, lsl #3
3:              tbnz x0, #1, 4f
                add x4, x4, #7
4:              sub x0, x0, #1
                b 1b
2:              subs x1, x1, #0
                b.ge 5f
                neg x4, x4
5:              mov x0, x4
                ret
FN t_calls
                stp x29, x30, [sp, #-16]!
                mov x29, sp
                bl 1f
                adr x5, 1f
                blr x5
                adr x6, 2f
                br x6
                mov x0, #0
2:              ldp x29, x30, [sp], #16
                ret
1:              add x0, x0, x1
                ret
FN t_literal
.Lliteral_start:
                ldr x4, =0x123456789abcdef0
                ldr w5, 1f
                ldrsw x6, 1f
                prfm pldl1keep, 1f
                adr x7, 1f
                adr x8, .Lliteral_start
                sub x7, x7, x8
                eor x0, x4, x5
                eor x0, x0, x6, ror #5
                eor x0, x0, x7, lsl #40
                add x0, x0, x1
                ret
                .p2align 2
1:              .word 0x89abcdef
                .ltorg
FN t_hints
                nop
                yield
                dmb ish
                dsb sy
                isb
                add x0, x0, #1
                ret
