package whispir_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/whispir-go/whispir"
	"github.com/whispir-go/whispir/internal/specdoc"
	"github.com/whispir-go/whispir/internal/specgen"
)

const preparedFile = "internal/specdoc/spec.gen.go"

// TestPreparedSpecIsCurrent fails when internal/specdoc no longer matches
// openapi.yaml: run go generate ./... (make generate) and commit it.
func TestPreparedSpecIsCurrent(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256(whispir.Spec())
	if got, want := specdoc.SourceSHA256, hex.EncodeToString(sum[:]); got != want {
		t.Errorf("%s was generated from a spec with SHA-256 %s; openapi.yaml has %s: run go generate ./...", preparedFile, got, want)
	}
	want, err := specgen.Generate(whispir.Spec(), "specdoc", "openapi.yaml")
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	got, err := os.ReadFile(preparedFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what openapi.yaml generates: run go generate ./...", preparedFile)
	}
}

// TestPreparedSpecRebuildsTheDocument pins that the generated builder
// rebuilds the document kin-openapi loads from openapi.yaml: emitting the
// built document gives the very code emitting the loaded one gives (same
// fields, same sharing of pointers), both marshal to the same JSON, and the
// built document passes kin-openapi's validation, examples included.
func TestPreparedSpecRebuildsTheDocument(t *testing.T) {
	t.Parallel()
	loaded, err := specgen.Load(whispir.Spec())
	if err != nil {
		t.Fatal(err)
	}
	built := new(specdoc.Builder).Document()
	want, err := specgen.Emit(loaded, "specdoc", "openapi.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := specgen.Emit(built, "specdoc", "openapi.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the built document differs from the loaded one")
	}
	jw, err := json.Marshal(loaded)
	if err != nil {
		t.Fatal(err)
	}
	jg, err := json.Marshal(built)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(jg, jw) {
		t.Error("the built document marshals to other JSON than the loaded one")
	}
	if err := built.Validate(t.Context(), openapi3.EnableExamplesValidation()); err != nil {
		t.Errorf("built document: Validate = %v; want nil", err)
	}
}

// TestPreparedSpecPathItemsMatchTheDocument pins that a path item built on
// its own is the one the whole document holds, and that building one does
// not need the others.
func TestPreparedSpecPathItemsMatchTheDocument(t *testing.T) {
	t.Parallel()
	for _, path := range specdoc.Paths {
		b := new(specdoc.Builder)
		item := b.PathItem(path)
		if item == nil {
			t.Fatalf("PathItem(%q) = nil", path)
		}
		if got := b.Document().Paths.Value(path); got != item {
			t.Errorf("PathItem(%q) is not the document's path item", path)
		}
	}
	if item := new(specdoc.Builder).PathItem("/no/such/path"); item != nil {
		t.Error("PathItem of an unknown path is not nil")
	}
}

var initLine = regexp.MustCompile(`(?m)^init (\S+) @.* (\d+) bytes, (\d+) allocs$`)

// TestPackageInitAllocatesLittle runs this test binary again with
// GODEBUG=inittrace=1 and reads what the initialisation of the root package
// and of internal/specdoc allocated: the spec is prepared on first use, not
// at init, and the generated tables are static data. (Allocation counts are
// deterministic; no time is measured.)
func TestPackageInitAllocatesLittle(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	limits := map[string]int{
		"github.com/whispir-go/whispir":                  1024,
		"github.com/whispir-go/whispir/internal/specdoc": 0,
	}
	for _, m := range initLine.FindAllStringSubmatch(string(out), -1) {
		limit, ok := limits[m[1]]
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		t.Logf("init %s: %s bytes, %s allocs", m[1], m[2], m[3])
		if n > limit {
			t.Errorf("init %s allocates %d bytes; want at most %d", m[1], n, limit)
		}
	}
}
