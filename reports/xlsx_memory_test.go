package reports

import (
	"io"
	"runtime"
	"testing"
)

// TestSectorWorkbookMemoryFlat writes the sector workbook with a register of
// 40,000 and of 160,000 responses and compares the live heap while the
// register streams: rows go from the source to the StreamWriter (which
// spills to a temporary file past 16 MB) and the archive goes straight to
// the writer, so four times the rows must not mean more memory. Holding the
// rows, or the sheet's XML, would add tens of megabytes.
func TestSectorWorkbookMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200,000 register rows")
	}
	peak := func(providers int) (live uint64, perRow float64) {
		const every = 10000
		source := xlRowSource(t, providers, 100)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		n := 0
		measured := func(emit func(ResponseRow) error) error {
			return source(func(r ResponseRow) error {
				n++
				if n%every == 0 {
					var m runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&m)
					live = max(live, m.HeapAlloc)
				}
				return emit(r)
			})
		}
		if err := WriteSectorXLSX(io.Discard, xlSector(t, 20), measured, nil); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return live - min(live, before.HeapAlloc), float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	}
	small, smallPerRow := peak(400)
	large, largePerRow := peak(1600)
	t.Logf("live heap while streaming: %.1f MB at 40,000 rows, %.1f MB at 160,000; allocated %.0f and %.0f bytes a row",
		float64(small)/(1<<20), float64(large)/(1<<20), smallPerRow, largePerRow)
	if large > small+8<<20 {
		t.Errorf("the live heap grew from %.1f MB to %.1f MB with four times the rows: the register is held in memory",
			float64(small)/(1<<20), float64(large)/(1<<20))
	}
}
