"""What analysts take away: the chart pack and gallery, key figures and headlines, the slide
deck and the report."""
