//go:build amd64 && !purego

#include "textflag.h"

// func dotAVX(c, w *float32, n int) float32
//
// Order of the sums (dotAVXOrder in dot_amd64_test.go is the same in Go):
// Y0-Y3 hold 32 lane sums; each block of 32 terms adds c*w into them
// (VMULPS then VADDPS, each rounded to float32); each following block of
// 8 adds into Y0; then (Y0+Y1)+(Y2+Y3), the high half onto the low one,
// lanes 2-3 onto 0-1, lane 1 onto 0; then the last n%8 terms one by one.
TEXT ·dotAVX(SB), NOSPLIT, $0-28
	MOVQ c+0(FP), SI
	MOVQ w+8(FP), DI
	MOVQ n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

loop32:
	CMPQ    CX, $32
	JLT     loop8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VMULPS  (DI), Y4, Y4
	VMULPS  32(DI), Y5, Y5
	VMULPS  64(DI), Y6, Y6
	VMULPS  96(DI), Y7, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     loop32

loop8:
	CMPQ    CX, $8
	JLT     reduce
	VMOVUPS (SI), Y4
	VMULPS  (DI), Y4, Y4
	VADDPS  Y4, Y0, Y0
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     loop8

reduce:
	VADDPS       Y1, Y0, Y0 // Y0 = Y0 + Y1
	VADDPS       Y3, Y2, Y2 // Y2 = Y2 + Y3
	VADDPS       Y2, Y0, Y0 // Y0 = (Y0+Y1) + (Y2+Y3)
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0 // lane i += lane i+4
	VMOVHLPS     X0, X0, X1 // X1 lanes 0-1 = X0 lanes 2-3
	VADDPS       X1, X0, X0 // lane i += lane i+2
	VMOVSHDUP    X0, X1     // X1 lane 0 = X0 lane 1
	VADDSS       X1, X0, X0 // lane 0 += lane 1

tail:
	TESTQ  CX, CX
	JEQ    done
	VMOVSS (SI), X1
	VMULSS (DI), X1, X1
	VADDSS X1, X0, X0
	ADDQ   $4, SI
	ADDQ   $4, DI
	DECQ   CX
	JMP    tail

done:
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotFrameAVX(coef *float32, taps int, hist *float32, srcIdx, phase *int32, out *float32, n int)
//
// For k < n: out[k] = dotAVX(&coef[phase[k]*taps], &hist[srcIdx[k]], taps),
// with the same instructions in the same order as dotAVX, without a call
// per output sample.
TEXT ·dotFrameAVX(SB), NOSPLIT, $0-56
	MOVQ coef+0(FP), R8
	MOVQ taps+8(FP), R9
	MOVQ hist+16(FP), R10
	MOVQ srcIdx+24(FP), R11
	MOVQ phase+32(FP), R12
	MOVQ out+40(FP), R13
	MOVQ n+48(FP), R14
	XORQ BX, BX

next:
	CMPQ    BX, R14
	JGE     end
	MOVLQSX (R12)(BX*4), AX
	IMULQ   R9, AX
	LEAQ    (R8)(AX*4), SI
	MOVLQSX (R11)(BX*4), DX
	LEAQ    (R10)(DX*4), DI
	MOVQ    R9, CX
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3

floop32:
	CMPQ    CX, $32
	JLT     floop8
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VMULPS  (DI), Y4, Y4
	VMULPS  32(DI), Y5, Y5
	VMULPS  64(DI), Y6, Y6
	VMULPS  96(DI), Y7, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	JMP     floop32

floop8:
	CMPQ    CX, $8
	JLT     freduce
	VMOVUPS (SI), Y4
	VMULPS  (DI), Y4, Y4
	VADDPS  Y4, Y0, Y0
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     floop8

freduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

ftail:
	TESTQ  CX, CX
	JEQ    fstore
	VMOVSS (SI), X1
	VMULSS (DI), X1, X1
	VADDSS X1, X0, X0
	ADDQ   $4, SI
	ADDQ   $4, DI
	DECQ   CX
	JMP    ftail

fstore:
	VMOVSS X0, (R13)(BX*4)
	INCQ   BX
	JMP    next

end:
	VZEROUPPER
	RET
