// Package backup holds what the provider's plan-time rules, palette-local
// and its agent agree on about backups: how a schedule's cron expression
// and a location's bucket are checked, and where a backup's objects lie in
// its bucket.
package backup

import (
	"fmt"
	"path"
	"regexp"
	"time"

	"github.com/robfig/cron/v3"
)

// ParseSchedule parses a backup schedule: a standard five-field cron
// expression (minute hour day-of-month month day-of-week) or a descriptor
// such as @daily or @every 1h, as Velero's schedules take them.
func ParseSchedule(expr string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("%q is not a cron expression (minute hour day-of-month month day-of-week, or @daily, @every 1h): %w", expr, err)
	}
	return s, nil
}

// NextRun is the first time of schedule after the later of since and
// last (last may be zero).
func NextRun(s cron.Schedule, since, last time.Time) time.Time {
	if last.After(since) {
		since = last
	}
	return s.Next(since)
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// CheckBucketName reports why name is not an S3 bucket name (3 to 63
// lowercase letters, digits, dots and hyphens, starting and ending with a
// letter or digit).
func CheckBucketName(name string) error {
	if !bucketName.MatchString(name) {
		return fmt.Errorf("%q is not an S3 bucket name: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// ObjectPrefix is where the objects of a backup lie in its bucket:
// backups/<clusterUID>/<backupName>/ (Velero keeps backups/<name>/).
func ObjectPrefix(clusterUID, backupName string) string {
	return path.Join("backups", clusterUID, backupName) + "/"
}

// ResourcesObject is the object holding a backup's Kubernetes objects (a
// gzipped JSON list).
func ResourcesObject(clusterUID, backupName string) string {
	return ObjectPrefix(clusterUID, backupName) + "resources.json.gz"
}
