//go:build amd64

#include "textflag.h"

// func invertKeys(nr int, enc, dec *byte)
TEXT ·invertKeys(SB), NOSPLIT, $0-24
	MOVQ nr+0(FP), CX
	MOVQ enc+8(FP), SI
	MOVQ dec+16(FP), DI
	MOVQ CX, AX
	SHLQ $4, AX
	MOVUPS (SI)(AX*1), X0   // dec[0] = enc[nr]
	MOVUPS X0, (DI)
	MOVUPS (SI), X0         // dec[nr] = enc[0]
	MOVUPS X0, (DI)(AX*1)
	MOVQ $1, BX
inv:
	CMPQ BX, CX
	JAE invdone
	MOVQ CX, DX
	SUBQ BX, DX
	SHLQ $4, DX
	MOVUPS (SI)(DX*1), X0   // enc[nr-i]
	AESIMC X0, X1
	MOVQ BX, DX
	SHLQ $4, DX
	MOVUPS X1, (DI)(DX*1)   // dec[i]
	INCQ BX
	JMP inv
invdone:
	RET

// func cbcEncrypt(nr int, xk *byte, iv *[16]byte, dst, src *byte, blocks int)
TEXT ·cbcEncrypt(SB), NOSPLIT, $0-48
	MOVQ nr+0(FP), CX
	MOVQ xk+8(FP), AX
	MOVQ iv+16(FP), DX
	MOVQ dst+24(FP), DI
	MOVQ src+32(FP), SI
	MOVQ blocks+40(FP), BX
	MOVUPS (DX), X0
	MOVUPS (AX), X2         // round 0 key
	DECQ CX                 // inner rounds
enc:
	MOVUPS (SI), X1
	PXOR X1, X0
	PXOR X2, X0
	LEAQ 16(AX), R8
	MOVQ CX, R9
encround:
	MOVUPS (R8), X3         // SSE memory operands must be aligned: load
	AESENC X3, X0
	ADDQ $16, R8
	DECQ R9
	JNZ encround
	MOVUPS (R8), X3
	AESENCLAST X3, X0
	MOVUPS X0, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ BX
	JNZ enc
	MOVUPS X0, (DX)
	RET

// func cbcDecrypt(nr int, xk *byte, iv *[16]byte, dst, src *byte, blocks int)
// xk holds the decryption round keys (see invertKeys).
TEXT ·cbcDecrypt(SB), NOSPLIT, $0-48
	MOVQ nr+0(FP), CX
	MOVQ xk+8(FP), AX
	MOVQ iv+16(FP), DX
	MOVQ dst+24(FP), DI
	MOVQ src+32(FP), SI
	MOVQ blocks+40(FP), BX
	MOVUPS (DX), X0         // chaining value
	MOVUPS (AX), X8         // round 0 key
	DECQ CX                 // inner rounds
	CMPQ BX, $4
	JB one
four:
	MOVUPS 0(SI), X5        // ciphertext, kept for chaining
	MOVUPS 16(SI), X6
	MOVUPS 32(SI), X7
	MOVUPS 48(SI), X9
	MOVOU X5, X1
	MOVOU X6, X2
	MOVOU X7, X3
	MOVOU X9, X4
	PXOR X8, X1
	PXOR X8, X2
	PXOR X8, X3
	PXOR X8, X4
	LEAQ 16(AX), R8
	MOVQ CX, R9
fourround:
	MOVUPS (R8), X10
	AESDEC X10, X1
	AESDEC X10, X2
	AESDEC X10, X3
	AESDEC X10, X4
	ADDQ $16, R8
	DECQ R9
	JNZ fourround
	MOVUPS (R8), X10
	AESDECLAST X10, X1
	AESDECLAST X10, X2
	AESDECLAST X10, X3
	AESDECLAST X10, X4
	PXOR X0, X1
	PXOR X5, X2
	PXOR X6, X3
	PXOR X7, X4
	MOVOU X9, X0
	MOVUPS X1, 0(DI)
	MOVUPS X2, 16(DI)
	MOVUPS X3, 32(DI)
	MOVUPS X4, 48(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $4, BX
	CMPQ BX, $4
	JAE four
one:
	TESTQ BX, BX
	JZ done
	MOVUPS (SI), X5
	MOVOU X5, X1
	PXOR X8, X1
	LEAQ 16(AX), R8
	MOVQ CX, R9
oneround:
	MOVUPS (R8), X10
	AESDEC X10, X1
	ADDQ $16, R8
	DECQ R9
	JNZ oneround
	MOVUPS (R8), X10
	AESDECLAST X10, X1
	PXOR X0, X1
	MOVOU X5, X0
	MOVUPS X1, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ BX
	JMP one
done:
	MOVUPS X0, (DX)
	RET
