# A bucket of an S3-compatible server (MinIO, versitygw, Ceph). The secret
# key is write-only: it is sent to Palette and never stored in the plan or
# state (Terraform 1.11 or later).
variable "backup_secret_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "palette_backup_location" "minio" {
  name             = "lab-minio"
  type             = "minio"
  bucket           = "palette-backups"
  region           = "us-east-1"
  endpoint         = "https://minio.lab.example.com:9000"
  force_path_style = true
  ca_certificate   = file("${path.module}/minio-ca.pem")

  access_key            = "palette-backup"
  secret_key_wo         = var.backup_secret_key
  secret_key_wo_version = 1 # change it when the key changes
}

# An AWS S3 bucket.
resource "palette_backup_location" "s3" {
  name          = "prod-s3"
  type          = "s3"
  bucket        = "acme-palette-backups"
  region        = "eu-west-1"
  access_key    = "AKIAIOSFODNN7EXAMPLE"
  secret_key_wo = var.backup_secret_key
  is_default    = true
}
