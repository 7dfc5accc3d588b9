// Package atomicfile replaces files whole: a crash leaves the old file or
// the new one, never a mix, and no partial file under the final name.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data, mode 0600: a temporary file in the same
// directory (made 0700 when missing), written, synced, renamed over path;
// then the directory is synced so that the rename survives a crash.
func Write(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
