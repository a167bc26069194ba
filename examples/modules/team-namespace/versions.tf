terraform {
  required_version = ">= 1.5"
  required_providers {
    palette = {
      source = "terraform-palette/palette"
    }
  }
}
