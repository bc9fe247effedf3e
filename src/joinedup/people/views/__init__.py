"""The person index's pages: finding a person and their shared record
(`records`), and the identity matching review queue (`review`, mounted at
/matching/ by `review_urls`)."""
