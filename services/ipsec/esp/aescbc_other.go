//go:build !amd64

package esp

// newAESCBC reports that no AES-NI CBC mode is available here.
func newAESCBC(key []byte) (enc, dec cbcMode, ok bool) { return nil, nil, false }
