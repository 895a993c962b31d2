"""Korean facts as code: registration numbers, industry and region codes, SME size rules."""
