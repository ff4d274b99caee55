// Example operations shown as GraphiQL's first tabs: the main flows of a client app.
// Tabs that need a signed-in user carry an Authorization header: replace the placeholder with the token from logIn.
const signedIn = JSON.stringify({ Authorization: 'Bearer PASTE-THE-TOKEN-FROM-logIn' }, null, 2);

export const exampleTabs = [
  {
    query: `# Who am I? Without an Authorization header the viewer is null.
query Viewer {
  viewer {
    id
    username
    fullName
    followerCount
    followingCount
    mediaCount
  }
}
`,
  },
  {
    query: `# Create an account; the answer carries the token for the Authorization header.
mutation SignUp {
  signUp(input: {username: "ada", password: "correct horse battery", email: "ada@example.org", fullName: "Ada"}) {
    token
    user { id username }
  }
}

mutation LogIn {
  logIn(input: {username: "ada", password: "correct horse battery"}) {
    token
    user { id username }
  }
}
`,
  },
  {
    query: `# The home feed of the signed-in user, newest first.
query Feed($after: String) {
  feed(first: 10, after: $after) {
    edges {
      cursor
      node {
        id
        caption
        owner { username avatarUrl }
        images { thumbnail { url width height } }
        likeCount
        viewerHasLiked
        comments(first: 2) { edges { node { text author { username } } } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    headers: signedIn,
  },
  {
    query: `# A profile and its grid.
query Profile {
  user(username: "ada") {
    id
    fullName
    bio
    followerCount
    viewerFollows
    media(first: 12) { edges { node { id images { thumbnail { url } } } } }
  }
}
`,
    headers: signedIn,
  },
  {
    query: `# Follow someone, like and comment on a photo.
mutation Follow($userId: ID!) {
  follow(userId: $userId) { id followerCount viewerFollows }
}

mutation Like($mediaId: ID!) {
  like(mediaId: $mediaId) { id likeCount viewerHasLiked }
}

mutation Comment($mediaId: ID!) {
  addComment(mediaId: $mediaId, text: "Lovely light") { id text createdAt }
}
`,
    variables: JSON.stringify({ userId: '0', mediaId: '0' }, null, 2),
    headers: signedIn,
  },
  {
    query: `# Photos taken near a point (nearest first) and the places whose name starts with "lis".
# (./pinhole up --demo posts photos in Lisbon, London, Paris, Étretat, Chamonix and Tokyo.)
query Nearby {
  nearby(lat: 38.7108, lng: -9.1333, radiusKm: 2, first: 10) {
    edges { node { id caption location { name } owner { username } images { thumbnail { url } } } }
  }
  locations(query: "lis", lat: 38.7108, lng: -9.1333) { id name lat lng }
}
`,
  },
  {
    query: `# Register this device for push notifications to the signed-in user.
mutation Device {
  registerDevice(input: {platform: APNS, token: "0123456789abcdef", locale: "en-GB"})
}
`,
    headers: signedIn,
  },
];
