# In a file ending in .tfquery.hcl beside the configuration that has the
# provider block. Then:
#   terraform query                                      # lists them
#   terraform query -generate-config-out=generated.tf    # resource and import blocks
#   terraform apply                                      # imports them; the next plan has no changes
# Terraform stops a list block at 100 results unless it has a larger limit.

# Every Running production cluster whose name starts with "prod-".
list "palette_imported_cluster" "prod" {
  provider         = palette
  include_resource = true
  limit            = 1000

  config {
    name_regex = "^prod-"
    state      = "Running"
    labels     = { env = "prod" }
  }
}

# The clusters imported in read-only mode.
list "palette_imported_cluster" "read_only" {
  provider = palette

  config {
    import_mode = "read_only"
  }
}
