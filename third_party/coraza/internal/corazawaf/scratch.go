// Copyright 2026 Warden developers
// SPDX-License-Identifier: Apache-2.0

package corazawaf

// OperatorScratch is a slot in which an operator plugin may keep memory
// for the length of one transaction, such as results it computed once for
// a value that many rules test (Warden patch 14). Operators reach it through
// the TransactionState they are given:
//
//	if s, ok := tx.(interface{ OperatorScratch() *any }); ok { ... }
//
// What is stored there survives the transaction's return to the pool, so
// its memory is reused; when the transaction is reused, a value with a
// Reset method is reset first.
func (tx *Transaction) OperatorScratch() *any {
	return &tx.operatorScratch
}

func (tx *Transaction) resetOperatorScratch() {
	if r, ok := tx.operatorScratch.(interface{ Reset() }); ok {
		r.Reset()
	}
}
