// The Amplify configuration the seed guide imports, pointed at cognate.
export default {
  Auth: {
    Cognito: {
      userPoolId: process.env.COGNITO_USER_POOL_ID,
      userPoolClientId: process.env.COGNITO_CLIENT_ID,
      userPoolEndpoint: process.env.COGNATE_URL,
    },
  },
};
