package shell

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"mxlab/shell/cmdtree"
)

// maxCopy bounds what "file copy" copies.
const maxCopy = 64 << 20

// routerRoots are the top directories of the router's file space; an
// absolute path elsewhere names a file of the host when the session may
// read host files.
var routerRoots = []string{"/var", "/config"}

func registerFileCopy(r *cmdtree.Registry) {
	r.Register([]string{"file", "copy"}, "Copy files (local or remote)",
		[]cmdtree.Param{
			{Name: "source", Value: "<source>", Help: "Source file: a router path, or an absolute host path outside /var and /config",
				Positional: true, Required: true},
			{Name: "destination", Value: "<destination>", Help: "Destination file or directory (a router path)",
				Positional: true, Required: true},
		}, fileCopy)
}

// fileCopy copies a file of the router, or of the host, to a file of the
// router, silently like a local copy on Junos. A destination that is a
// directory (or ends with '/') receives the file under its own name.
func fileCopy(env *cmdtree.Env, a cmdtree.Args) error {
	s, err := sessionOf(env)
	if err != nil {
		return err
	}
	src, dst := a["source"], a["destination"]
	if strings.Contains(src, "://") || strings.Contains(dst, "://") {
		return errors.New("file copy from or to a URL is not available; bring files in with \"mxlab lab cp\" or from an absolute host path")
	}
	from, err := s.sourcePath(src)
	if err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("could not resolve file: %s", src)
	}
	defer in.Close()
	if st, err := in.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("could not resolve file: %s", src)
	}
	to, err := s.ResolvePath(dst)
	if err != nil {
		return err
	}
	if st, err := os.Stat(to); (err == nil && st.IsDir()) || strings.HasSuffix(dst, "/") {
		to, err = s.ResolvePath(path.Join(s.routerPath(dst), path.Base(filepath.ToSlash(src))))
		if err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return fmt.Errorf("could not create file '%s'", dst)
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("could not create file '%s'", dst)
	}
	n, err := io.Copy(out, io.LimitReader(in, maxCopy+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxCopy {
		os.Remove(to)
		return fmt.Errorf("%s is larger than %d bytes", src, maxCopy)
	}
	return err
}

// sourcePath maps the source of "file copy" to a host path: a router path,
// or, when the session may read host files, an absolute path outside the
// router's file space.
func (s *Session) sourcePath(name string) (string, error) {
	if s.opts.HostFiles && path.IsAbs(name) {
		p := path.Clean(name)
		inRouter := s.hidden(p)
		for _, r := range routerRoots {
			inRouter = inRouter || p == r || strings.HasPrefix(p, r+"/")
		}
		if !inRouter {
			return s.hostPath(filepath.FromSlash(p), name)
		}
	}
	return s.ResolvePath(name)
}

// hostPath refuses a host path into the router's own hidden trees (the
// certificate store seen from the host), symbolic links followed.
func (s *Session) hostPath(p, name string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return p, nil // does not exist: the open fails with the usual error
	}
	for _, h := range s.opts.Hidden {
		dir, err := filepath.EvalSymlinks(filepath.Join(s.opts.StateDir, filepath.FromSlash(h)))
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(dir, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("could not resolve file: %s", name)
		}
	}
	return p, nil
}
