package whispirtest_test

import (
	"net/http"
	"testing"
	"time"
)

func TestRequestsRecordTheirArrivalTime(t *testing.T) {
	t.Parallel()
	srv := start(t)
	before := time.Now()
	sendSMS(t, srv, workspace)
	send(t, newRequest(t, srv, http.MethodGet, "/nowhere", ""))
	after := time.Now()
	got := srv.Requests()
	if len(got) != 2 {
		t.Fatalf("requests: got %d; want 2", len(got))
	}
	for i, r := range got {
		if r.Time.Before(before) || r.Time.After(after) {
			t.Errorf("request %d: Time got %s; want between %s and %s", i, r.Time, before, after)
		}
	}
	if got[1].Time.Before(got[0].Time) {
		t.Errorf("second request arrived at %s, before the first at %s; want order of arrival", got[1].Time, got[0].Time)
	}
}
