// Command mockload is a helper of whispir's tests: it loads a running
// whispir mock the way a long CI job would, and prints one JSON line with
// the statuses it got, by kind of request.
//
//	mockload -sends 200000 -unauthenticated 20000 -size 1048576 -c 8
//
// sends are SMS sends (POST /messages) with the mock's credentials;
// unauthenticated requests are sends with a wrong x-api-key and a body of
// -size bytes. The base URL and the (fake) credentials come from
// WHISPIR_BASE_URL, WHISPIR_API_KEY, WHISPIR_USERNAME and WHISPIR_PASSWORD.
// It uses bare net/http, so that the driver costs little next to the mock.
// Exit status: 0 when every request got an answer, 1 otherwise, 2 for bad
// flags.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Summary is the line mockload prints.
type Summary struct {
	Sends           map[int]int `json:"sends"`           // by status
	Unauthenticated map[int]int `json:"unauthenticated"` // by status
	Errors          int         `json:"errors"`          // requests without an answer
	FirstError      string      `json:"firstError,omitempty"`
	Seconds         float64     `json:"seconds"`
}

func main() {
	sends := flag.Int("sends", 0, "SMS sends with the mock's credentials")
	unauth := flag.Int("unauthenticated", 0, "sends with a wrong key")
	size := flag.Int("size", 1<<20, "body size of the unauthenticated sends, in bytes")
	conc := flag.Int("c", 8, "concurrent connections")
	flag.Parse()
	base := os.Getenv("WHISPIR_BASE_URL")
	if base == "" || *conc < 1 || *size < 2 {
		fmt.Fprintln(os.Stderr, "mockload: set WHISPIR_BASE_URL, -c >= 1, -size >= 2")
		os.Exit(2)
	}
	key, user, pass := os.Getenv("WHISPIR_API_KEY"), os.Getenv("WHISPIR_USERNAME"), os.Getenv("WHISPIR_PASSWORD")
	client := &http.Client{
		Timeout:   time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: *conc, DisableCompression: true},
	}
	sms := []byte(`{"to":"61400000000","subject":"Load","body":"One of many sends"}`)
	big := bytes.Repeat([]byte("x"), *size)
	big[0], big[len(big)-1] = '"', '"'

	var mu sync.Mutex
	sum := Summary{Sends: map[int]int{}, Unauthenticated: map[int]int{}}
	record := func(kind map[int]int, status int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			sum.Errors++
			if sum.FirstError == "" {
				sum.FirstError = err.Error()
			}
			return
		}
		kind[status]++
	}
	do := func(body []byte, apiKey string) (int, error) {
		req, err := http.NewRequest(http.MethodPost, base+"/messages", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/vnd.whispir.message-v1+json")
		req.Header.Set("Accept", "application/vnd.whispir.message-v1+json")
		req.Header.Set("x-api-key", apiKey)
		req.SetBasicAuth(user, pass)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	start := time.Now()
	var next atomic.Int64
	total := int64(*sends + *unauth)
	var wg sync.WaitGroup
	for range *conc {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				// Interleaved: one unauthenticated request every so often.
				if *unauth > 0 && i%(total/int64(*unauth)) == 0 && i/(total/int64(*unauth)) < int64(*unauth) {
					status, err := do(big, "not-the-key")
					record(sum.Unauthenticated, status, err)
					continue
				}
				status, err := do(sms, key)
				record(sum.Sends, status, err)
			}
		})
	}
	wg.Wait()
	sum.Seconds = time.Since(start).Seconds()
	_ = json.NewEncoder(os.Stdout).Encode(sum)
	if sum.Errors > 0 {
		os.Exit(1)
	}
}
